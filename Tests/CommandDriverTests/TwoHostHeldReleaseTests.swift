import CommandDriver
import Foundation
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// Held mail released into a Maildir store on another host: the hold spool is read on the legacy
/// host, the Maildir written on the store host, and a release run again stores nothing twice.
@Suite(.serialized) struct TwoHostHeldReleaseTests {
    static let agent = BuiltMailshift.path

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func heldMailGoesIntoTheStoreHostsMaildirOnce() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let spoolDir = "\(hosts.spool)/hold/alice"
            try await hosts.writeHeldSpool(spoolDir, with: transport)
            let maildir = "\(hosts.storeRoot)/alice/Maildir"
            let step = makeStep(
                .holdRelease(HoldReleaseParameters(spoolDir: spoolDir, timezone: "UTC", store: StoreTarget(kind: .maildir, host: "store", maildir: maildir))),
                id: "pilot/hold-release/alice", host: hosts.legacyEndpoint)
            let runner = try #require(MailboxDriverRunners.all(transport: transport, agentExecutable: agent)[.holdRelease])
            let context = StepContext(dryRun: false, hosts: hosts.hosts)

            let first = try await runner.apply(step, context: context)
            #expect(first["messages"] == "2" && first["imported"] == "2", "\(first)")
            let stored = try await hosts.files(under: maildir, on: hosts.storeEndpoint, with: transport).sorted()
            #expect(stored.count == 2, "\(stored)")
            #expect(try await hosts.fileCount(under: hosts.storeRoot, on: hosts.legacyEndpoint, with: transport) == 0, "nothing on the legacy host")
            // Dates: the first message's own From_ line; the second's mtime, read back as written.
            let names = stored.compactMap { MaildirName(fileName: String($0.split(separator: "/").last!)) }.sorted { $0.date < $1.date }
            #expect(names.map(\.date) == [1_767_607_200, 1_767_690_000], "\(names.map(\.date))")
            let bodies = try await transport.run(["sh", "-c", #"cat "$@""#, "sh"] + stored, on: hosts.storeEndpoint, stdin: nil, timeout: 30)
            let text = String(decoding: bodies.stdout, as: UTF8.self)
            #expect(text.contains("Subject: one\n\nFrom the start\n"), "the body line is stored as it was held: \(text)")
            #expect(!text.contains("From x@example.org"), "the From_ line is not stored")

            // Run again, then with one more held message: only that one is added.
            let again = try await runner.apply(step, context: context)
            #expect(again["imported"] == "0" && again["present"] == "2", "\(again)")
            try await hosts.write("Subject: three\n\nthird\n", to: "\(spoolDir)/0000", on: hosts.legacyEndpoint, with: transport)
            let more = try await runner.apply(step, context: context)
            #expect(more["messages"] == "3" && more["imported"] == "1", "\(more)")
            #expect(try await hosts.fileCount(under: maildir, on: hosts.storeEndpoint, with: transport) == 3)
        }
    }

    /// A spool on this machine with the Maildir on an ssh store host: the preview does not read a
    /// local path of that name as if it were the store's Maildir.
    @Test func thePreviewOfARemoteMaildirDoesNotReadALocalPath() async throws {
        let dir = try TemporaryDirectory(prefix: "hold-preview")
        defer { dir.remove() }
        let spoolDir = dir.file("hold/alice")
        try FileManager.default.createDirectory(atPath: spoolDir, withIntermediateDirectories: true)
        try "Subject: one\n\nheld\n".write(toFile: spoolDir + "/0001", atomically: false, encoding: .utf8)
        let store = HostEndpoint(name: "store", address: "store.example.org", connect: .ssh)
        let step = makeStep(
            .holdRelease(HoldReleaseParameters(spoolDir: spoolDir, timezone: "UTC", store: StoreTarget(kind: .maildir, host: "store", maildir: dir.file("Maildir")))),
            id: "pilot/hold-release/alice", host: nil)
        let runner = try #require(MailboxDriverRunners.all(transport: HostTransport())[.holdRelease])
        let preview = try await runner.inspect(step, context: StepContext(dryRun: true, hosts: ["store": store]))
        #expect(preview.state == .unknown, "\(preview)")
    }
}
