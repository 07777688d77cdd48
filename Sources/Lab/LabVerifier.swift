import Digest
import Foundation

/// `mailshift lab verify`: compares the lab's end state with what a migration must produce.
///
/// Every manifest message and every arrival is in its user's Maildir exactly once, with its
/// flags (name suffix and new/cur) and date (mtime); nothing else is there; the directory holds
/// the store host, active, mailbox delivery; no mail is left held or choked; saved mail was
/// imported; sources were retired as the strategy says (only where the store is complete).
public struct LabVerifier: Sendable {
    public let paths: LabPaths
    public init(paths: LabPaths) { self.paths = paths }

    public struct Report: Sendable {
        public var lines: [String] = []
        public var problems: [String] = []
        public var ok: Bool { problems.isEmpty }
        /// user → sorted "sha flags date" of each stored message: the store's content, for
        /// comparing two labs' end states.
        public var store: [String: [String]] = [:]
        public var directory: [String: [String]] = [:]
        public var text: String {
            var out = lines.joined(separator: "\n") + "\n"
            for p in problems.prefix(30) { out += "  MISMATCH: \(p)\n" }
            if problems.count > 30 { out += "  … and \(problems.count - 30) more\n" }
            out += ok ? "lab verify: OK\n" : "lab verify: \(problems.count) mismatch(es)\n"
            return out
        }
    }

    struct Expected: Hashable { var sha: String; var flags: String; var cur: Bool; var date: Int }

    public func verify(strategy: String?) throws -> Report {
        let config = try LabConfig.load(paths)
        let manifests = try JSONDecoder().decode(
            [String: MboxCorpus.Manifest].self, from: FileManager.default.contents(atPath: paths.manifest) ?? Data())
        let arrivals = LabDelivery.arrivals(path: paths.arrivals)
        var report = Report()
        var expected: [String: [Expected]] = [:]
        for (user, manifest) in manifests {
            expected[user, default: []] += manifest.messages.map { Expected(sha: $0.sha256, flags: $0.flags, cur: $0.inCur, date: $0.date) }
        }
        for a in arrivals { expected[a.user, default: []].append(Expected(sha: a.sha256, flags: "", cur: false, date: a.date)) }

        var found = 0, missing = 0, duplicated = 0, unexpected = 0, wrongMeta = 0
        let imap = config.imap.map { IMAPStoreReader(port: $0.port, password: config.userPassword ?? "") }
        let realMail = try config.mailSystem == .real ? RealMailVerification(paths: paths, config: config).drained() : nil
        var traffic: [String: [IMAPStoreReader.Seen]] = [:]
        for user in config.users {
            var stored: [Expected] = []
            // With the real store, read it as a mail client does (IMAP shows no new/cur: not compared).
            if let imap {
                let seen = try imap.messages(of: user)
                traffic[user] = seen.filter(RealMailVerification.isTraffic)
                stored = seen.filter { !RealMailVerification.isTraffic($0) }.map { Expected(sha: $0.sha, flags: $0.flags, cur: false, date: $0.date) }
            }
            for sub in ["new", "cur"] where imap == nil {
                let dir = paths.maildir(user) + "/" + sub
                for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                    let path = dir + "/" + name
                    guard let data = FileManager.default.contents(atPath: path),
                        let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                        let modified = attributes[.modificationDate] as? Date
                    else { continue }
                    let flags = name.range(of: ":2,").map { String(name[$0.upperBound...]) } ?? ""
                    stored.append(Expected(
                        sha: SHA256.hash(Array(data)).hexString, flags: flags, cur: sub == "cur", date: Int(modified.timeIntervalSince1970)))
                }
            }
            report.store[user] = stored.map { "\($0.sha) \($0.flags) \($0.cur) \($0.date)" }.sorted()
            var bySha = Dictionary(grouping: stored, by: \.sha)
            for e in expected[user] ?? [] {
                guard var copies = bySha[e.sha], !copies.isEmpty else {
                    missing += 1
                    report.problems.append("\(user): message \(e.sha.prefix(12)) (date \(e.date)) is not in the store")
                    continue
                }
                let copy = copies.removeFirst()
                bySha[e.sha] = copies
                found += 1
                if copy.flags != e.flags || (imap == nil && copy.cur != e.cur) || copy.date != e.date {
                    wrongMeta += 1
                    report.problems.append(
                        "\(user): message \(e.sha.prefix(12)) stored with flags '\(copy.flags)' \(copy.cur ? "cur" : "new") date \(copy.date), expected '\(e.flags)' \(e.cur ? "cur" : "new") date \(e.date)")
                }
            }
            for (sha, rest) in bySha where !rest.isEmpty {
                let isExpected = (expected[user] ?? []).contains { $0.sha == sha }
                if isExpected { duplicated += rest.count } else { unexpected += rest.count }
                report.problems.append("\(user): message \(sha.prefix(12)) \(isExpected ? "stored \(rest.count) extra time(s)" : "in the store but in no manifest")")
            }
        }
        let routes = Dictionary(grouping: arrivals, by: \.route).mapValues(\.count).sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let total = expected.values.reduce(0) { $0 + $1.count }
        report.lines.append("lab \(paths.root): \(config.users.count) users, \(total - arrivals.count) messages in the manifest + \(arrivals.count) arrived during the run\(routes.isEmpty ? "" : " (\(routes))")")
        report.lines.append("store\(imap.map { " (IMAP 127.0.0.1:\($0.port))" } ?? ""): \(found)/\(total) in the store exactly once; \(missing) missing, \(duplicated) duplicated, \(unexpected) unexpected, \(wrongMeta) with wrong flags or date")

        realMail?.check(traffic: traffic, &report)
        try verifyDirectory(config, &report)
        verifyHeld(config, &report)
        if let strategy { verifySources(config, strategy: strategy, &report) }
        return report
    }

    func verifyDirectory(_ config: LabConfig, _ report: inout Report) throws {
        let entries = try LabDirectory(config: config, paths: paths).users()
        var good = 0
        for user in config.users {
            let e = entries[user] ?? [:]
            let values = ["mailhost": e["mailhost"] ?? [], "mailuserstatus": e["mailuserstatus"] ?? [], "maildeliveryoption": e["maildeliveryoption"] ?? []]
            report.directory[user] = values.keys.sorted().map { "\($0)=\((values[$0] ?? []).sorted().joined(separator: ","))" }
            if values["mailhost"] == [config.storeHost] && values["mailuserstatus"] == ["active"] && values["maildeliveryoption"] == ["mailbox"] {
                good += 1
            } else {
                report.problems.append("\(user): directory holds \(report.directory[user] ?? []), expected mailhost=\(config.storeHost), active, mailbox")
            }
        }
        report.lines.append("directory: \(good)/\(config.users.count) users with mailHost \(config.storeHost), active, delivery mailbox")
    }

    func verifyHeld(_ config: LabConfig, _ report: inout Report) {
        var left = 0
        for user in config.users {
            let queued = ((try? FileManager.default.contentsOfDirectory(atPath: paths.heldQueue(user))) ?? []).count
            if queued > 0 { left += queued; report.problems.append("\(user): \(queued) held message(s) never released") }
            if FileManager.default.fileExists(atPath: paths.chokeMarker(user)) { report.problems.append("\(user): still choked") }
        }
        report.lines.append("held and saved mail: \(left == 0 ? "all replayed" : "\(left) still held")")
    }

    func verifySources(_ config: LabConfig, strategy: String, _ report: inout Report) {
        let mode = ["simple": "keep", "forward": "archive", "choke": "delete", "proxy": "archive"][strategy] ?? "keep"
        let fm = FileManager.default
        var ok = 0
        for user in config.users {
            let inSpool = fm.fileExists(atPath: paths.spoolFile(user))
            let archived = fm.fileExists(atPath: paths.archive + "/" + user)
            let good: Bool
            switch mode {
            case "archive": good = !inSpool && archived
            case "delete": good = !inSpool && !archived
            default: good = inSpool
            }
            if good { ok += 1 } else {
                report.problems.append("\(user): source \(inSpool ? "still in the spool" : "gone")\(archived ? ", archived" : ""), expected \(mode)")
            }
        }
        report.lines.append("sources (\(mode)): \(ok)/\(config.users.count) as expected, each after its verify passed")
    }
}
