import CommandDriver
import Foundation
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// `store.kind: command` over two hosts for the mail that arrives around the move: saved mail
/// (the forward strategy's file) and held mail (a hold spool) are on the legacy host, the site's
/// import tool on the store host; each must run there, on a copy of what the legacy host holds.
@Suite(.serialized) struct TwoHostCommandStoreTests {
    static let agent = BuiltMailshift.path

    /// The site's import tool: appends the file it is given (inside `--file=`) to the store.
    static func store(_ stored: String) -> StoreTarget {
        StoreTarget(
            kind: .command, host: "store", importArgv: ["sh", "-c", #"cat "${1#--file=}" >> "$2""#, "sh", "--file={mbox}", stored],
            owner: "nobody")
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func savedMailIsImportedOnTheStoreHost() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let saved = "\(hosts.spool)/saved/alice"
            let mail = TwoHostTransferTests.mailbox(3)
            try await hosts.write(mail, to: saved, on: hosts.legacyEndpoint, with: transport)
            let stored = "\(hosts.storeRoot)/alice.mbox"
            var target = Self.store(stored)
            // As the compiler lowers it: `{mbox}` is the saved file's path.
            target.importArgv = target.importArgv?.map { StepParameters.expand($0, ["mbox": saved]) }
            let step = makeStep(
                .savedImport(SavedImportParameters(savedPath: saved, timezone: "UTC", store: target)), id: "pilot/saved-import/alice",
                host: hosts.legacyEndpoint)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let out = try await #require(runners[.savedImport]).apply(step, context: StepContext(dryRun: false, hosts: hosts.hosts))
            #expect(out["command"] == "done")
            let copied = try await transport.run(["cat", stored], on: hosts.storeEndpoint, stdin: nil, timeout: 30)
            #expect(String(decoding: copied.stdout, as: UTF8.self) == mail, "the store host's tool got the saved file's bytes")
            #expect(try await hosts.fileCount(under: hosts.storeRoot, on: hosts.legacyEndpoint, with: transport) == 0, "nothing on the legacy host")
            #expect(try await hosts.files(under: hosts.spool, on: hosts.legacyEndpoint, with: transport) == [saved], "the saved file stays")
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func heldMailIsImportedOnTheStoreHostAsOneMbox() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let spoolDir = "\(hosts.spool)/hold/alice"
            try await hosts.writeHeldSpool(spoolDir, with: transport)
            let stored = "\(hosts.storeRoot)/alice.mbox"
            let step = makeStep(
                .holdRelease(HoldReleaseParameters(spoolDir: spoolDir, timezone: "UTC", store: Self.store(stored))), id: "pilot/hold-release/alice",
                host: hosts.legacyEndpoint)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let out = try await #require(runners[.holdRelease]).apply(step, context: StepContext(dryRun: false, hosts: hosts.hosts))
            #expect(out["command"] == "done")
            let copied = try await transport.run(["cat", stored], on: hosts.storeEndpoint, stdin: nil, timeout: 30)
            #expect(
                String(decoding: copied.stdout, as: UTF8.self)
                    == "From x@example.org Mon Jan  5 10:00:00 2026\nSubject: one\n\n>From the start\n\nFrom MAILER-DAEMON Tue Jan  6 09:00:00 2026\nSubject: two\n\nsecond\n\n")
            #expect(try await hosts.fileCount(under: hosts.storeRoot, on: hosts.legacyEndpoint, with: transport) == 0, "nothing on the legacy host")
            let leftovers = try await transport.run(["sh", "-c", "ls -d /tmp/mailshift-import-*/alice 2>/dev/null | wc -l"], on: hosts.storeEndpoint, stdin: nil, timeout: 30)
            #expect(String(decoding: leftovers.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }

    /// The same release when the spool and the import tool are on one machine: the tool gets the
    /// held messages as one mbox (`{mbox}` filled with that copy), not the spool directory nor the
    /// placeholder as it stands in the plan.
    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func heldMailOnOneHostIsImportedAsOneMboxToo() async throws {
        let agent = try #require(Self.agent)
        let dir = try TemporaryDirectory(prefix: "hold-one-host")
        defer { dir.remove() }
        let spoolDir = dir.file("hold/alice")
        try FileManager.default.createDirectory(atPath: spoolDir, withIntermediateDirectories: true)
        try "From x@example.org Mon Jan  5 10:00:00 2026\nSubject: one\n\nFrom the start\n".write(toFile: spoolDir + "/0001", atomically: false, encoding: .utf8)
        let stored = dir.file("alice.mbox")
        let step = makeStep(.holdRelease(HoldReleaseParameters(spoolDir: spoolDir, timezone: "UTC", store: Self.store(stored))), id: "pilot/hold-release/alice", host: nil)
        let runners = MailboxDriverRunners.all(transport: HostTransport(), agentExecutable: agent)
        let out = try await #require(runners[.holdRelease]).apply(step, context: StepContext(dryRun: false, hosts: ["store": localHost]))
        #expect(out["command"] == "done")
        #expect(
            (try? String(contentsOfFile: stored, encoding: .utf8))
                == "From x@example.org Mon Jan  5 10:00:00 2026\nSubject: one\n\n>From the start\n\n", "the tool read the held message as mboxrd")
        #expect(try FileManager.default.contentsOfDirectory(atPath: spoolDir) == ["0001"], "the spool is left for the release's own bookkeeping")
    }
}
