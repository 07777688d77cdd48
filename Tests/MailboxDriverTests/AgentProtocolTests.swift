import Foundation
import Glibc
@testable import MailboxDriver
import MailshiftTestSupport
import Testing

/// The agent's side of the protocol, in-process over real pipes: what a store agent does with a
/// stream from a host it does not trust, and a source → store round trip without ssh.
@Suite struct AgentProtocolTests {
    /// Runs one agent on `input` (request line and frames) and returns everything it wrote.
    static func serve(_ input: Data) throws -> Data {
        var toAgent: [Int32] = [-1, -1]
        var fromAgent: [Int32] = [-1, -1]
        guard pipe(&toAgent) == 0, pipe(&fromAgent) == 0 else { throw POSIXError(.EIO) }
        let (agentIn, agentOut, feed) = (toAgent[0], fromAgent[1], toAgent[1])
        let done = DispatchSemaphore(value: 0)
        Thread {
            _ = AgentServer.serve(input: agentIn, output: agentOut, version: "test")
            close(agentIn)
            close(agentOut)
            done.signal()
        }.start()
        Thread {
            input.withUnsafeBytes { raw in
                var at = 0
                while at < raw.count {
                    let n = write(feed, raw.baseAddress! + at, raw.count - at)
                    if n <= 0 { break }
                    at += n
                }
            }
            close(feed)
        }.start()
        let output = FileHandle(fileDescriptor: fromAgent[0], closeOnDealloc: true).readDataToEndOfFile()
        done.wait()
        return output
    }

    static func line(_ request: AgentRequest) -> Data {
        var d = try! JSONEncoder().encode(request)
        d.append(0x0A)
        return d
    }

    static func frame(_ type: AgentFrameType, _ payload: [UInt8]) -> Data {
        var d = Data([type.rawValue])
        withUnsafeBytes(of: UInt32(payload.count).bigEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: payload)
        return d
    }

    /// The answer line after the hello.
    static func answer(_ output: Data) throws -> StoreAnswer {
        let lines = output.split(separator: 0x0A)
        #expect(lines.count == 2, "hello and one answer")
        let hello = try JSONDecoder().decode(AgentHello.self, from: Data(try #require(lines.first)))
        #expect(hello.protocolVersion == AgentProtocol.version && hello.version == "test")
        return try JSONDecoder().decode(StoreAnswer.self, from: Data(try #require(lines.last)))
    }

    static func head(flags: String, headers: String) -> [UInt8] {
        var p: [UInt8] = []
        for v: Int64 in [0, 1_767_600_000, -1] { withUnsafeBytes(of: v.bigEndian) { p.append(contentsOf: $0) } }
        p.append(1)
        p.append(UInt8(flags.utf8.count))
        p.append(contentsOf: Array(flags.utf8))
        p.append(contentsOf: Array(headers.utf8))
        return p
    }

    static func end(_ stored: Int) -> [UInt8] {
        var p: [UInt8] = []
        for v: Int64 in [Int64(stored), 100] { withUnsafeBytes(of: v.bigEndian) { p.append(contentsOf: $0) } }
        return p
    }

    static func summary(messages: Int) -> [UInt8] {
        Array(#"{"file":"/var/mail/x","variant":"mboxo","detected":false,"source":"1:2:3","edges":"-","messages":\#(messages),"bytes":20,"skipped_internal":0,"warning_count":0,"warnings":[]}"#.utf8)
    }

    func storeRequest(_ maildir: String) -> AgentRequest {
        var r = AgentRequest(op: .writeMaildir)
        r.maildir = maildir
        return r
    }

    func published(_ maildir: String) -> [String] {
        ["new", "cur"].flatMap { (try? FileManager.default.contentsOfDirectory(atPath: "\(maildir)/\($0)")) ?? [] }
    }

    @Test func flagLettersThatCouldNameAPathAreRefusedAndNothingIsPublished() throws {
        let dir = try TemporaryDirectory(prefix: "agent")
        defer { dir.remove() }
        let maildir = dir.file("Maildir")
        var input = Self.line(storeRequest(maildir))
        input += Self.frame(.head, Self.head(flags: "S", headers: "Subject: fine\n\n"))
        input += Self.frame(.body, Array("one\n".utf8))
        input += Self.frame(.end, Self.end(19))
        input += Self.frame(.head, Self.head(flags: "/.", headers: "Subject: x\n\n"))
        input += Self.frame(.end, Self.end(12))
        input += Self.frame(.summary, Self.summary(messages: 2))
        let answer = try Self.answer(try Self.serve(input))
        #expect(answer.failure?.message.contains("DFPRST") == true, "\(String(describing: answer.failure))")
        #expect(published(maildir).isEmpty)
    }

    @Test func aStreamEndingWithoutItsSummaryPublishesNothing() throws {
        let dir = try TemporaryDirectory(prefix: "agent")
        defer { dir.remove() }
        let maildir = dir.file("Maildir")
        var input = Self.line(storeRequest(maildir))
        input += Self.frame(.head, Self.head(flags: "", headers: "Subject: one\n\n"))
        input += Self.frame(.end, Self.end(14))
        let answer = try Self.answer(try Self.serve(input))
        #expect(answer.failure?.message.contains("ended before its summary") == true)
        #expect(answer.failure?.transient == true)
        #expect(published(maildir).isEmpty)
    }

    @Test func aCountThatDisagreesWithTheSourceSummaryIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "agent")
        defer { dir.remove() }
        let maildir = dir.file("Maildir")
        var input = Self.line(storeRequest(maildir))
        input += Self.frame(.head, Self.head(flags: "", headers: "Subject: one\n\n"))
        input += Self.frame(.end, Self.end(14))
        input += Self.frame(.summary, Self.summary(messages: 3))
        let answer = try Self.answer(try Self.serve(input))
        #expect(answer.failure?.message.contains("carried 1 messages, the source counted 3") == true)
        #expect(published(maildir).isEmpty)
    }

    @Test(arguments: ["relative/Maildir", "/srv/../etc/Maildir", "/srv/./Maildir"])
    func pathsOutsideWhatAPlanCanHoldAreRefused(_ path: String) throws {
        let answer = try Self.answer(try Self.serve(Self.line(storeRequest(path)) + Self.frame(.summary, Self.summary(messages: 0))))
        #expect(answer.failure?.message.contains("not an absolute path without '..'") == true)
    }

    @Test func anOversizedFrameIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "agent")
        defer { dir.remove() }
        var input = Self.line(storeRequest(dir.file("Maildir")))
        input.append(AgentFrameType.body.rawValue)
        withUnsafeBytes(of: UInt32(AgentProtocol.frameLimit + 1).bigEndian) { input.append(contentsOf: $0) }
        let answer = try Self.answer(try Self.serve(input))
        #expect(answer.failure?.message.contains("exceeds the protocol's limit") == true)
    }

    @Test func aSourceStreamFedToAStoreAgentImportsEveryMessageOnce() throws {
        let dir = try TemporaryDirectory(prefix: "agent")
        defer { dir.remove() }
        let mbox = dir.file("alice")
        let text = (0..<25).map { "From a@example.org Mon Jan  5 10:00:\(String(format: "%02d", $0)) 2026\nSubject: m\($0)\nStatus: RO\n\nbody \($0)\n\n" }.joined()
        try text.write(toFile: mbox, atomically: true, encoding: .utf8)
        var read = AgentRequest(op: .readMailbox)
        (read.mbox, read.variant, read.lock) = (mbox, "mboxo", true)
        let stream = try Self.serve(Self.line(read))
        let afterHello = try #require(stream.firstIndex(of: 0x0A))
        let maildir = dir.file("Maildir")
        for round in 0..<2 {
            let answer = try Self.answer(try Self.serve(Self.line(storeRequest(maildir)) + stream[(afterHello + 1)...]))
            let report = try #require(answer.imported, "\(String(describing: answer.failure))")
            #expect(report.messages == 25)
            #expect(report.imported == (round == 0 ? 25 : 0))
            #expect(report.present == (round == 0 ? 0 : 25))
        }
        let names = published(maildir)
        #expect(names.count == 25)
        #expect(names.allSatisfy { $0.hasSuffix(":2,S") }, "Status: RO kept as the seen flag in cur/")
    }
}
