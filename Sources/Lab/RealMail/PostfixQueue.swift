import Foundation

/// The front MX's queue and log, through Postfix's own tools pointed at the lab's instance
/// (`-c DIR/mail/postfix/etc`): what is held, releasing it, flushing, and counting bounces.
public struct PostfixQueue: Sendable {
    public let paths: LabPaths
    public init(paths: LabPaths) { self.paths = paths }

    /// One queued message (from `postqueue -j`).
    public struct Entry: Sendable, Hashable, Decodable {
        public var queueName: String
        public var queueID: String
        public var recipients: [String]
        enum CodingKeys: String, CodingKey { case queueName = "queue_name", queueID = "queue_id", recipients }
        struct Recipient: Decodable { var address: String }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            queueName = try c.decode(String.self, forKey: .queueName)
            queueID = try c.decode(String.self, forKey: .queueID)
            recipients = try c.decode([Recipient].self, forKey: .recipients).map(\.address)
        }
    }

    /// Every message in the instance's queues.
    public func entries() throws -> [Entry] {
        let r = try LabProcess.outputAndStatus(PostfixFrontMX.postqueue, ["-c", paths.postfixConfig, "-j"])
        guard r.status == 0 else { throw LabError("postqueue -j failed (\(r.status)): \(r.text)") }
        return try r.text.split(separator: "\n").map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }

    /// Messages in the hold queue.
    public func held() throws -> [Entry] { try entries().filter { $0.queueName == "hold" } }

    /// `postsuper -H ALL` (back to the deferred queue, routed again from the directory) and
    /// `postqueue -f` (deliver now); returns how many were held.
    @discardableResult
    public func releaseAll() throws -> Int {
        let count = try held().count
        try run(PostfixFrontMX.postsuper, ["-c", paths.postfixConfig, "-H", "ALL"])
        try flush()
        return count
    }

    /// `postsuper -H ID…`: those held messages go back to the deferred queue.
    public func release(_ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try run(PostfixFrontMX.postsuper, ["-c", paths.postfixConfig] + ids.flatMap { ["-H", $0] })
    }

    /// `postqueue -f`: attempt every queued message now.
    public func flush() throws { try run(PostfixFrontMX.postqueue, ["-c", paths.postfixConfig, "-f"]) }

    /// Lines of the mail log that record a bounce (`status=bounced`).
    public func bounces() -> [String] {
        let log = (try? String(contentsOfFile: paths.mailLog, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains("status=bounced") }.map(String.init)
    }

    /// Lines of the mail log where smtpd put a message on hold (choke table or delivery hold).
    public func holds() -> [String] {
        let log = (try? String(contentsOfFile: paths.mailLog, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains(": hold: RCPT from") }.map(String.init)
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        let r = try LabProcess.outputAndStatus(tool, arguments)
        guard r.status == 0 else { throw LabError("\(tool) \(arguments.joined(separator: " ")) failed (\(r.status)): \(r.text)") }
    }
}
