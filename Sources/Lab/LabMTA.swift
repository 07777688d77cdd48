import Foundation
import Glibc

/// The stand-in legacy MTA: while alive, delivers a new message every `interval` to a lab user,
/// routed as sendmail plus the directory would route it, and records each one in `arrived.jsonl`.
///
/// Routing, per message: to the new store's Maildir when the user's mailHost is the store and
/// the user is active; to the hold queue when delivery is `hold` or the choke router holds the
/// user; to the saved-mail file (mboxo, under the spool locks) when the user's `.forward`
/// diverts there; to the legacy spool (in the mailbox's own variant) while mailHost is the
/// legacy host; otherwise it stays queued (a real MTA retries later), so nothing is recorded.
public struct LabMTA: Sendable {
    public let paths: LabPaths
    public let config: LabConfig
    public let variants: [String: MboxCorpus.Variant]

    public init(paths: LabPaths) throws {
        self.paths = paths
        self.config = try LabConfig.load(paths)
        let data = FileManager.default.contents(atPath: paths.manifest) ?? Data("{}".utf8)
        let manifests = (try? JSONDecoder().decode([String: MboxCorpus.Manifest].self, from: data)) ?? [:]
        self.variants = manifests.mapValues(\.variant)
    }

    /// Runs until SIGTERM or SIGINT (a delivery in progress always completes), or `limit` messages.
    public func run(interval: TimeInterval, limit: Int?) throws {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        try "\(getpid())\n".write(toFile: paths.pidFile("mta"), atomically: true, encoding: .utf8)
        var random = CorpusRandom(state: config.seed &* 31 &+ UInt64(getpid()))
        var serial = LabDelivery.arrivals(path: paths.arrivals).count
        var delivered = 0
        while limit.map({ delivered < $0 }) ?? true {
            var wait = timespec(tv_sec: Int(interval), tv_nsec: Int((interval - interval.rounded(.down)) * 1e9))
            if sigtimedwait(&signals, nil, &wait) > 0 { break }
            guard !config.users.isEmpty else { continue }
            let user = config.users[random.below(config.users.count)]
            serial += 1
            if (try? deliver(user: user, serial: serial)) == true { delivered += 1 }
        }
        unlink(paths.pidFile("mta"))
    }

    /// Delivers one message; false when it stayed queued (directory unreachable, user in flight).
    public func deliver(user: String, serial: Int) throws -> Bool {
        try LabDelivery.withLock(paths.routeLock(user)) { try deliverLocked(user: user, serial: serial) }
    }

    func deliverLocked(user: String, serial: Int) throws -> Bool {
        let entry = try LabDirectory(config: config, paths: paths).users()[user] ?? [:]
        let host = entry["mailhost"]?.first ?? ""
        let active = (entry["mailuserstatus"]?.first ?? "active") == "active"
        let delivery = entry["maildeliveryoption"] ?? []
        let date = Int(Date().timeIntervalSince1970)
        let stored = LabDelivery.message(user: user, serial: serial, date: date)
        let route: String
        var kept = stored  // what the store must end up holding
        if delivery.contains("hold") || FileManager.default.fileExists(atPath: paths.chokeMarker(user)) {
            try LabDelivery.queue(stored, queue: paths.heldQueue(user), date: date, tag: "mta\(serial)")
            route = "held"
        } else if host == config.storeHost && active {
            try LabDelivery.deliverToMaildir(stored, maildir: paths.maildir(user), date: date, tag: "mta\(serial)")
            route = "store"
        } else if let saved = divertedTo(user) {
            try LabDelivery.appendToMbox(stored, path: saved, date: date, escapeFrom: true)
            kept = LabDelivery.escapedForm(stored)  // mboxo reading keeps the '>'
            route = "saved"
        } else if host == config.legacyHost {
            let variant = variants[user] ?? .mboxrd
            let escapes = variant == .mboxo || variant == .mboxcl || variant == .mboxrd
            let length = variant == .mboxcl || variant == .mboxcl2 || variant == .solaris
            try LabDelivery.appendToMbox(stored, path: paths.spoolFile(user), date: date, escapeFrom: escapes, contentLength: length)
            if variant == .mboxo || variant == .mboxcl { kept = LabDelivery.escapedForm(stored) }
            route = "spool"
        } else {
            return false
        }
        try LabDelivery.record(LabArrival(user: user, sha256: LabDelivery.sha256(kept), date: date, route: route), path: paths.arrivals)
        return true
    }

    /// The saved-mail path a `.forward` of the form `"/path"` diverts to, if any.
    func divertedTo(_ user: String) -> String? {
        guard let text = try? String(contentsOfFile: paths.forwardFile(user), encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let item = line.trimmingCharacters(in: CharacterSet(charactersIn: "\" \t"))
            if item.hasPrefix("/") { return item }
        }
        return nil
    }
}
