import CommandDriver
import Foundation
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// mailshift running on one of the two hosts (`connect: local`): that end's agent is served
/// in-process over a pipe pair, the other end is an ssh session.
@Suite(.serialized) struct TwoHostLocalEndTests {
    static let agent = BuiltMailshift.path
    static let here = HostEndpoint(name: "here", address: "localhost", connect: .local)

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func aRemoteLegacyHostFeedsTheStoreThisMachineIs() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let mbox = "\(hosts.spool)/carol"
            try await hosts.write(TwoHostTransferTests.mailbox(12), to: mbox, on: hosts.legacyEndpoint, with: transport)
            let local = try TemporaryDirectory(prefix: "here-store")
            defer { local.remove() }
            let maildir = local.file("carol/Maildir")
            let store = StoreTarget(kind: .maildir, host: "here", maildir: maildir)
            let step = makeStep(
                .mailboxImport(MailboxImportParameters(mbox: mbox, format: "auto", timezone: "UTC", store: store, lock: true)),
                id: "pilot/import/carol", host: hosts.legacyEndpoint)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let out = try await runners[.mailboxImport]!.apply(step, context: StepContext(dryRun: false, hosts: ["legacy": hosts.legacyEndpoint, "here": Self.here]))
            #expect(out["imported"] == "12")
            let stored = ["new", "cur"].flatMap { (try? FileManager.default.contentsOfDirectory(atPath: "\(maildir)/\($0)")) ?? [] }
            #expect(stored.count == 12)
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func aStoreThatRefusesEndsTheInProcessSourceWithoutAHang() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let local = try TemporaryDirectory(prefix: "here-source")
            defer { local.remove() }
            let mbox = local.file("dave")
            // Large enough that the source is still writing when the store quits.
            try TwoHostTransferTests.mailbox(3000, bodyLines: 40).write(toFile: mbox, atomically: true, encoding: .utf8)
            // The store's Maildir would be under a regular file: it cannot be created.
            let blocker = "\(hosts.storeRoot)/blocker"
            try await hosts.write("not a directory", to: blocker, on: hosts.storeEndpoint, with: transport)
            let store = StoreTarget(kind: .maildir, host: "store", maildir: "\(blocker)/dave/Maildir")
            let step = makeStep(
                .mailboxImport(MailboxImportParameters(mbox: mbox, format: "auto", timezone: "UTC", store: store, lock: false)),
                id: "pilot/import/dave", host: Self.here)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let started = Date()
            do {
                _ = try await runners[.mailboxImport]!.apply(step, context: StepContext(dryRun: false, hosts: ["here": Self.here, "store": hosts.storeEndpoint]))
                Issue.record("an import into an impossible Maildir succeeded")
            } catch let error as any StepFailure {
                #expect(error.summary.hasPrefix("store: "), "\(error.summary)")
            }
            #expect(Date().timeIntervalSince(started) < 8, "the in-process source was ended, not waited out")
        }
    }
}
