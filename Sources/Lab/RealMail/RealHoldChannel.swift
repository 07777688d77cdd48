import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The plans' hold and choke commands on the real lab, through the front MX's hold queue:
///
/// - **choke hold USER** adds the user to the MX's `choked` access table (action HOLD, a hash
///   table rebuilt with postmap): from then on the user's new mail waits in the hold queue;
/// - **choke release USER** takes the user out of the table and releases the held mail
///   that no longer has a reason to wait;
/// - **hold master** releases the held mail of users whose `mailDeliveryOption` is no longer `hold`.
///
/// A held message is released only when none of its recipients is still choked or on hold (HOLD
/// acts on a whole message); released mail is routed again from the directory as it is then.
public struct RealHoldChannel: Sendable {
    public let paths: LabPaths
    public let config: LabConfig

    public init(paths: LabPaths, config: LabConfig) {
        self.paths = paths
        self.config = config
    }

    var chokeTable: String { paths.postfixConfig + "/choked" }
    /// Serialises the plan's per-user hold and release commands, which run in parallel.
    var lock: String { paths.postfixConfig + "/choked.lock" }

    /// The users in the choke table.
    public func choked() -> Set<String> {
        let text = (try? String(contentsOfFile: chokeTable, encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").compactMap { line in line.split(separator: "@").first.map(String.init) })
    }

    public func chokeHold(_ user: String) throws {
        try LabDelivery.withLock(lock) { try writeChoked(choked().union([user])) }
    }

    /// Lets the user's mail through again; returns how many held messages went back to delivery.
    public func chokeRelease(_ user: String) throws -> Int {
        try LabDelivery.withLock(lock) { try writeChoked(choked().subtracting([user])) }
        return try releaseUnblocked()
    }

    /// Releases (`postsuper -H`) every held message none of whose recipients is choked or on
    /// hold in the directory, then flushes the queue; returns how many it released.
    ///
    /// It first waits `settle` seconds: an SMTP session that looked the recipient up just before
    /// the table or the directory changed may still put a message on hold, and releasing before
    /// it has would leave that message held for good.
    @discardableResult
    public func releaseUnblocked(settle: TimeInterval = 1) throws -> Int {
        usleep(useconds_t(settle * 1_000_000))
        return try LabDelivery.withLock(lock) { try releaseLocked() }
    }

    func releaseLocked() throws -> Int {
        let queue = PostfixQueue(paths: paths)
        let entries = try LabDirectory(config: config, paths: paths).users()
        let blocked = choked().union(entries.filter { (uid, attributes) in
            (attributes["maildeliveryoption"] ?? []).contains { $0.lowercased() == "hold" }
                || (attributes["mailuserstatus"] ?? []).contains { $0.lowercased() == "hold" }
        }.keys)
        let ids = try queue.held().filter { entry in
            !entry.recipients.contains { blocked.contains(String($0.split(separator: "@").first ?? "")) }
        }.map(\.queueID)
        try queue.release(ids)
        try queue.flush()
        return ids.count
    }

    /// Rewrites the choke table (whole, then renamed into place) and rebuilds its hash map.
    func writeChoked(_ users: Set<String>) throws {
        let domain = config.domain ?? RealMailLab.domain
        let text = users.sorted().map { "\($0)@\(domain) HOLD choked while the mailbox moves\n" }.joined()
        try text.write(toFile: chokeTable, atomically: true, encoding: .utf8)
        // smtpd notices the rebuilt table before its next connection (no reload: reloading the MX
        // many times a second, as parallel per-user steps would, stalls its listener)
        try PostfixFrontMX.postmap(chokeTable, paths)
    }
}
