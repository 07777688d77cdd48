import Foundation
import Glibc

/// The lab's stand-ins for the site tools a plan's commands run: each does the equivalent real
/// thing on lab files, idempotently (a resumed step may run it twice).
public enum LabStandIns {
    /// `dirsync`: the store's directory cache would reload here; the lab just asks the directory.
    public static func dirsync(_ paths: LabPaths) throws -> Int {
        let config = try LabConfig.load(paths)
        let count = try LabDirectory(config: config, paths: paths).users().count
        // the front MX retries what it queued, routed from the directory as it is now (no reload:
        // reloading Postfix while a connection waits stalls its listener for seconds)
        if config.mailSystem == .real { try PostfixQueue(paths: paths).flush() }
        return count
    }

    /// `proxy-setup`: writes the proxy's routing configuration once.
    public static func proxySetup(_ paths: LabPaths) throws {
        let config = try LabConfig.load(paths)
        try "route-by: mailHost\nlegacy: \(config.legacyHost)\nstore: \(config.storeHost)\n"
            .write(toFile: paths.run + "/proxy.conf", atomically: true, encoding: .utf8)
    }

    /// `choke hold USER`: from now on the choke router spools the user's new mail aside.
    public static func chokeHold(_ paths: LabPaths, user: String) throws {
        try checkUser(paths, user)
        if let real = try realChannel(paths) { return try real.chokeHold(user) }
        try FileManager.default.createDirectory(atPath: paths.held, withIntermediateDirectories: true)
        try LabDelivery.withLock(paths.routeLock(user)) {
            guard FileManager.default.createFile(atPath: paths.chokeMarker(user), contents: Data()) else {
                throw LabError("cannot write \(paths.chokeMarker(user))")
            }
        }
    }

    /// `choke release USER`: delivers what was spooled aside into the user's new mailbox, then
    /// lets mail through again (queue first, so nothing slips between the two).
    public static func chokeRelease(_ paths: LabPaths, user: String) throws -> Int {
        try checkUser(paths, user)
        if let real = try realChannel(paths) { return try real.chokeRelease(user) }
        return try LabDelivery.withLock(paths.routeLock(user)) {
            let count = try LabDelivery.release(queue: paths.heldQueue(user), maildir: paths.maildir(user))
            unlink(paths.chokeMarker(user))
            return count
        }
    }

    /// `hold slave`: the store accepts held delivery (nothing to do in the lab).
    public static func holdSlave(_ paths: LabPaths) throws { _ = try LabConfig.load(paths) }

    /// `hold master`: releases the held mail of every user whose delivery is no longer `hold`.
    public static func holdMaster(_ paths: LabPaths) throws -> Int {
        let config = try LabConfig.load(paths)
        if let real = try realChannel(paths) { return try real.releaseUnblocked() }
        let entries = try LabDirectory(config: config, paths: paths).users()
        var count = 0
        for user in config.users where !(entries[user]?["maildeliveryoption"] ?? []).contains("hold") {
            count += try LabDelivery.withLock(paths.routeLock(user)) {
                try LabDelivery.release(queue: paths.heldQueue(user), maildir: paths.maildir(user))
            }
        }
        return count
    }

    /// `deluser USER` (the site's `imdeluser`): the user leaves the legacy host. Appends a line
    /// to `run/deluser.log` saying whether the user's spool file was still there (a deluser run
    /// before the retire would say so); on a real lab the legacy MTA forgets the user's default
    /// route. Deleting twice is a no-op, as `check` sees.
    public static func deluser(_ paths: LabPaths, user: String) throws {
        try checkUser(paths, user)
        guard !deleted(paths, user: user) else { return }
        try? FileManager.default.removeItem(atPath: paths.legacyMailbox + "/" + user)
        let spool = FileManager.default.fileExists(atPath: paths.spoolFile(user)) ? "spool present" : "spool retired"
        try LabDelivery.withLock(paths.run + "/deluser.lock") {
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: try touch(paths.deluserLog)))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("\(user) \(spool)\n".utf8))
        }
    }

    /// True when `deluser USER` has run (the plan's `check`).
    public static func deleted(_ paths: LabPaths, user: String) -> Bool {
        let text = (try? String(contentsOfFile: paths.deluserLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").contains { $0.split(separator: " ").first.map(String.init) == user }
    }

    static func touch(_ path: String) throws -> String {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: Data()) else { throw LabError("cannot create \(path)") }
        }
        return path
    }

    /// The front MX's hold channel when the lab runs the real mail system.
    static func realChannel(_ paths: LabPaths) throws -> RealHoldChannel? {
        let config = try LabConfig.load(paths)
        return config.mailSystem == .real ? RealHoldChannel(paths: paths, config: config) : nil
    }

    static func checkUser(_ paths: LabPaths, _ user: String) throws {
        let config = try LabConfig.load(paths)
        guard config.users.contains(user) else { throw LabError("'\(user)' is not a user of the lab in \(paths.root)") }
    }
}
