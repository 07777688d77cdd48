import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `mailshift lab traffic`: mail keeps arriving. Sends a message through the front MX to a
/// random lab user (seeded) every interval until SIGTERM, and records each one the MX accepted
/// (user, Message-ID, queue id) in `DIR/mail/sent.jsonl`, which `lab verify` finds over IMAP.
public struct LabTraffic: Sendable {
    public let paths: LabPaths
    public init(paths: LabPaths) { self.paths = paths }

    /// One message the MX accepted.
    public struct Sent: Sendable, Codable, Hashable {
        public var user: String
        public var messageID: String
        public var queueID: String?
        public var time: Int
        enum CodingKeys: String, CodingKey { case user, messageID = "message_id", queueID = "queue_id", time }
    }

    /// Every message sent so far (a torn last line is skipped).
    public static func sent(_ paths: LabPaths) -> [Sent] {
        let text = (try? String(contentsOfFile: paths.sentLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Sent.self, from: Data($0.utf8)) }
    }

    /// Sends until SIGTERM/SIGINT or `limit` messages; a refused or failed send is reported on
    /// stderr and retried on the next tick (the MX being restarted is not the sender's failure).
    public func run(interval: TimeInterval, limit: Int?, seed: UInt64 = 1) throws {
        let config = try LabConfig.load(paths)
        guard let smtp = config.smtp, let domain = config.domain else {
            throw LabError("the lab in \(paths.root) has no front MX", hint: "`mailshift lab up DIR --mail real`")
        }
        try "\(getpid())\n".write(toFile: paths.pidFile("traffic"), atomically: true, encoding: .utf8)
        defer { unlink(paths.pidFile("traffic")) }
        var stop = sigset_t()
        sigemptyset(&stop)
        sigaddset(&stop, SIGTERM)
        sigaddset(&stop, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stop, nil)
        var random = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
        var count = 0
        while limit.map({ count < $0 }) ?? true {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let user = config.users[Int((random >> 33) % UInt64(config.users.count))]
            do {
                try append(try send(to: user, domain: domain, port: smtp.port, serial: count))
                count += 1
            } catch {
                FileHandle.standardError.write(Data("lab traffic: not sent to \(user): \(error)\n".utf8))
            }
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1 { break }
            usleep(useconds_t(max(0, interval) * 1_000_000))
        }
    }

    func send(to user: String, domain: String, port: Int, serial: Int) throws -> Sent {
        let id = "<traffic-\(serial)-\(UUID().uuidString.prefix(8))@traffic.\(domain)>"
        let now = Int(Date().timeIntervalSince1970)
        let client = try SMTPClient(port: port, timeout: 10)
        defer { client.quit() }
        let reply = try client.send(
            from: "traffic@elsewhere.test", to: ["\(user)@\(domain)"],
            message: "From: traffic@elsewhere.test\nTo: \(user)@\(domain)\nSubject: lab traffic \(serial)\nMessage-ID: \(id)\n\nmessage \(serial) for \(user)\n")
        return Sent(user: user, messageID: id, queueID: SMTPClient.queueID(reply), time: now)
    }

    func append(_ sent: Sent) throws {
        let line = Array(try JSONEncoder().encode(sent)) + [10]
        let fd = open(paths.sentLog, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw LabError("cannot open \(paths.sentLog): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
