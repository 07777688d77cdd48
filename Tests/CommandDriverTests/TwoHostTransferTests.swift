import CommandDriver
import Foundation
import MailboxDriver
import MailshiftTestSupport
import Steps
import Testing

/// Legacy and store on two machines with no shared disk (`TwoHostFixture`): the mailbox is read
/// on the legacy host, relayed through this process, written on the store host; verify compares
/// digests computed on each side. Each assertion names the host whose disk it inspects.
@Suite(.serialized) struct TwoHostTransferTests {
    static let agent = BuiltMailshift.path

    static func mailbox(_ count: Int, bodyLines: Int = 1) -> String {
        (0..<count).map { i in
            let body = (0..<bodyLines).map { "line \($0) of message \(i), padded to look like mail text." }.joined(separator: "\n")
            return "From sender\(i)@example.org Mon Jan  5 10:00:00 2026\nFrom: sender\(i)@example.org\nSubject: message \(i)\nMessage-ID: <\(i)@example.org>\n\n\(body)\n\n"
        }.joined()
    }

    struct Scene {
        var importStep: StepInstance
        var verifyStep: StepInstance
        var maildir: String
        var mbox: String
    }

    func scene(_ hosts: TwoHostFixture, user: String = "alice") -> Scene {
        let mbox = "\(hosts.spool)/\(user)"
        let maildir = "\(hosts.storeRoot)/\(user)/Maildir"
        let store = StoreTarget(kind: .maildir, host: "store", maildir: maildir)
        let importStep = makeStep(
            .mailboxImport(MailboxImportParameters(mbox: mbox, format: "auto", timezone: "UTC", store: store, lock: true)),
            id: "pilot/import/\(user)", host: hosts.legacyEndpoint)
        let verifyStep = makeStep(
            .mailboxVerify(
                MailboxVerifyParameters(
                    mbox: mbox, timezone: "UTC", store: store, mode: .digest,
                    importStep: StepReference(idPrefix: "pilot/import/\(user)", sameUser: false))),
            id: "pilot/verify/\(user)", host: hosts.legacyEndpoint)
        return Scene(importStep: importStep, verifyStep: verifyStep, maildir: maildir, mbox: mbox)
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func theStoreHostHoldsTheMailAndTheLegacyHostNone() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let s = scene(hosts)
            try await hosts.write(Self.mailbox(40), to: s.mbox, on: hosts.legacyEndpoint, with: transport)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let context = StepContext(dryRun: false, hosts: hosts.hosts)
            let preview = StepContext(dryRun: true, hosts: hosts.hosts)

            // The preview reads on both hosts and writes on neither.
            let before = try await #require(runners[.mailboxImport]).inspect(s.importStep, context: preview)
            #expect(before.state == .pending)
            #expect(before.changes.first?.messages == 40, "\(before.changes)")
            #expect(try await hosts.files(under: hosts.storeRoot, on: hosts.storeEndpoint, with: transport).isEmpty)

            let imported = try await #require(runners[.mailboxImport]).apply(s.importStep, context: context)
            #expect(imported["imported"] == "40")
            #expect(try await runners[.mailboxImport]!.inspect(s.importStep, context: preview).state == .done)
            #expect(imported["messages"] == "40")

            let onStore = try await hosts.files(under: s.maildir, on: hosts.storeEndpoint, with: transport)
            let onLegacy = try await hosts.files(under: hosts.storeRoot, on: hosts.legacyEndpoint, with: transport)
            #expect(onStore.count == 40, "the store host holds the mail")
            #expect(onLegacy.isEmpty, "nothing written on the legacy host's disk: \(onLegacy.prefix(3))")
            #expect(hosts.localFiles().isEmpty, "nothing on the orchestrator's disk")
            let sourceStill = try await hosts.files(under: hosts.spool, on: hosts.legacyEndpoint, with: transport)
            #expect(sourceStill == [s.mbox], "the source stays where it was")

            let verified = try await #require(runners[.mailboxVerify]).apply(
                s.verifyStep, context: StepContext(dryRun: false, hosts: hosts.hosts, outputs: { _ in imported }))
            #expect(verified["passed"] == "true")
            #expect(verified["source_identity"] == imported["source_identity"])

            let again = try await #require(runners[.mailboxImport]).apply(s.importStep, context: context)
            #expect(again["imported"] == "0")
            #expect(again["present"] == "40")
            #expect(try await hosts.files(under: s.maildir, on: hosts.storeEndpoint, with: transport).count == 40)
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func savedMailOnTheLegacyHostReachesTheStoreWithoutDuplicates() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let s = scene(hosts)
            let spool = Self.mailbox(3)
            try await hosts.write(spool, to: s.mbox, on: hosts.legacyEndpoint, with: transport)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let context = StepContext(dryRun: false, hosts: hosts.hosts)
            _ = try await #require(runners[.mailboxImport]).apply(s.importStep, context: context)
            // Saved during the move: a copy of the last spool message (a `\user` local copy) and a new one.
            let saved = "\(hosts.spool)/saved/alice"
            let copy = String(spool[spool.range(of: "From sender2@")!.lowerBound...])
            let fresh = "From late@example.org Tue Jan  6 09:00:00 2026\nFrom: late@example.org\nSubject: late\n\nsaved meanwhile\n\n"
            try await hosts.write(copy + fresh, to: saved, on: hosts.legacyEndpoint, with: transport)
            let store = StoreTarget(kind: .maildir, host: "store", maildir: s.maildir)
            let step = makeStep(
                .savedImport(SavedImportParameters(savedPath: saved, timezone: "UTC", store: store)), id: "pilot/saved-import/alice",
                host: hosts.legacyEndpoint)
            let first = try await #require(runners[.savedImport]).apply(step, context: context)
            #expect(first["imported"] == "1")
            #expect(first["duplicates"] == "1")
            let again = try await #require(runners[.savedImport]).apply(step, context: context)
            #expect(again["imported"] == "0")
            #expect(try await hosts.fileCount(under: s.maildir, on: hosts.storeEndpoint, with: transport) == 4)
            #expect(try await hosts.fileCount(under: hosts.storeRoot, on: hosts.legacyEndpoint, with: transport) == 0)
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func aCommandStoreRunsItsImportOnTheStoreHost() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let mbox = "\(hosts.spool)/bob"
            try await hosts.write(Self.mailbox(4), to: mbox, on: hosts.legacyEndpoint, with: transport)
            // The site's import tool, standing in for imsimport: appends the file it is given to the store.
            let stored = "\(hosts.storeRoot)/bob.mbox"
            let store = StoreTarget(
                kind: .command, host: "store",
                importArgv: ["sh", "-c", #"cat "$1" >> "$2""#, "sh", mbox, stored],
                countArgv: ["sh", "-c", #"if [ -f "$1" ]; then grep -c '^From ' "$1"; else echo 0; fi"#, "sh", stored])
            let importStep = makeStep(
                .mailboxImport(MailboxImportParameters(mbox: mbox, format: "mboxo", timezone: "UTC", store: store, lock: true)),
                id: "pilot/import/bob", host: hosts.legacyEndpoint)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let imported = try await #require(runners[.mailboxImport]).apply(importStep, context: StepContext(dryRun: false, hosts: hosts.hosts))
            #expect(imported["count_before"] == "0")
            #expect(imported["count_after"] == "4")
            #expect(try await hosts.fileCount(under: hosts.storeRoot, on: hosts.storeEndpoint, with: transport) == 1)
            #expect(try await hosts.fileCount(under: hosts.storeRoot, on: hosts.legacyEndpoint, with: transport) == 0)
            let copied = try await transport.run(["cat", stored], on: hosts.storeEndpoint, stdin: nil, timeout: 30)
            #expect(String(decoding: copied.stdout, as: UTF8.self) == Self.mailbox(4), "the store got the file's bytes as they are")
            // No copy left behind on the store host.
            let leftovers = try await transport.run(["sh", "-c", "ls -d /tmp/mailshift-import-*/bob 2>/dev/null | wc -l"], on: hosts.storeEndpoint, stdin: nil, timeout: 30)
            #expect(String(decoding: leftovers.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "0")

            // A resume of the same step sees the store grew by the mailbox and does not run it again.
            let resumed = try await runners[.mailboxImport]!.apply(
                importStep, context: StepContext(dryRun: false, hosts: hosts.hosts, previousOutputs: imported))
            #expect(resumed["count_after"] == "4")
            let verifyStep = makeStep(
                .mailboxVerify(MailboxVerifyParameters(mbox: mbox, timezone: "UTC", store: store, mode: .count,
                    importStep: StepReference(idPrefix: "pilot/import/bob", sameUser: false))),
                id: "pilot/verify/bob", host: hosts.legacyEndpoint)
            let verified = try await runners[.mailboxVerify]!.apply(
                verifyStep, context: StepContext(dryRun: false, hosts: hosts.hosts, outputs: { _ in imported }))
            #expect(verified["passed"] == "true")
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func retireOnTheLegacyHostRefusesASourceRewrittenInPlaceSinceVerify() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let s = scene(hosts)
            try await hosts.write(Self.mailbox(3), to: s.mbox, on: hosts.legacyEndpoint, with: transport)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let context = StepContext(dryRun: false, hosts: hosts.hosts)
            let imported = try await runners[.mailboxImport]!.apply(s.importStep, context: context)
            let verified = try await runners[.mailboxVerify]!.apply(
                s.verifyStep, context: StepContext(dryRun: false, hosts: hosts.hosts, outputs: { _ in imported }))
            #expect(verified["source_edges"]?.count == 32)
            let retire = makeStep(
                .sourceRetire(SourceRetireParameters(mbox: s.mbox, mode: .delete, verifyStep: StepReference(idPrefix: s.verifyStep.id, sameUser: false))),
                id: "pilot/retire/alice", host: hosts.legacyEndpoint)
            let afterVerify = StepContext(dryRun: false, hosts: hosts.hosts, outputs: { $0 == s.verifyStep.id ? verified : imported })

            // One byte rewritten in place, the mtime put back: inode, size and mtime all agree.
            let rewrite = #"m=$(stat -c %y "$1"); printf X | dd of="$1" bs=1 seek=12 conv=notrunc 2>/dev/null; touch -d "$m" "$1""#
            #expect(try await transport.run(["sh", "-c", rewrite, "sh", s.mbox], on: hosts.legacyEndpoint, stdin: nil, timeout: 30).status == 0)
            do {
                _ = try await runners[.sourceRetire]!.apply(retire, context: afterVerify)
                Issue.record("retire deleted a source that changed since verify")
            } catch let error as any StepFailure {
                #expect(error.summary.contains("first or last 4 KiB changed since verify"), "\(error.summary)")
            }
            #expect(try await hosts.files(under: hosts.spool, on: hosts.legacyEndpoint, with: transport) == [s.mbox], "the source is kept")

            // Re-imported and verified as it is now, the source is retired, on the legacy host.
            let again = try await runners[.mailboxImport]!.apply(s.importStep, context: context)
            let reverified = try await runners[.mailboxVerify]!.apply(
                s.verifyStep, context: StepContext(dryRun: false, hosts: hosts.hosts, outputs: { _ in again }))
            _ = try await runners[.sourceRetire]!.apply(
                retire, context: StepContext(dryRun: false, hosts: hosts.hosts, outputs: { $0 == s.verifyStep.id ? reverified : again }))
            #expect(try await hosts.files(under: hosts.spool, on: hosts.legacyEndpoint, with: transport).isEmpty)
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func aSourceFailureReachesTheOperatorWithItsControlCharactersEscaped() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            // A spool entry that is a link (refused) and whose name carries a terminal escape.
            let mbox = "\(hosts.spool)/eve\u{1b}[2J"
            let link = try await transport.run(["ln", "-s", "/etc/passwd", mbox], on: hosts.legacyEndpoint, stdin: nil, timeout: 30)
            #expect(link.status == 0)
            let store = StoreTarget(kind: .maildir, host: "store", maildir: "\(hosts.storeRoot)/eve/Maildir")
            let step = makeStep(
                .mailboxImport(MailboxImportParameters(mbox: mbox, format: "auto", timezone: "UTC", store: store, lock: false)),
                id: "pilot/import/eve", host: hosts.legacyEndpoint)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            do {
                _ = try await runners[.mailboxImport]!.apply(step, context: StepContext(dryRun: false, hosts: hosts.hosts))
                Issue.record("a linked spool entry was imported")
            } catch let error as any StepFailure {
                #expect(error.summary.hasPrefix("legacy: ") && error.summary.contains("eve"), "\(error.summary)")
                #expect(!error.summary.contains("\u{1b}") && !(error.hint ?? "").contains("\u{1b}"), "\(error.summary.debugDescription)")
            }
            #expect(try await hosts.files(under: hosts.storeRoot, on: hosts.storeEndpoint, with: transport).isEmpty)
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func theAgentIsHiddenFromHelp() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(Self.agent))
        p.arguments = ["--help"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(text.contains("mbox"), "the help lists commands")
        #expect(!text.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("agent ") })
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func verifyFailsWhenTheStoreLostAMessage() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let s = scene(hosts)
            try await hosts.write(Self.mailbox(5), to: s.mbox, on: hosts.legacyEndpoint, with: transport)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent)
            let context = StepContext(dryRun: false, hosts: hosts.hosts)
            let imported = try await #require(runners[.mailboxImport]).apply(s.importStep, context: context)
            let stored = try await hosts.files(under: s.maildir, on: hosts.storeEndpoint, with: transport)
            _ = try await transport.run(["rm", "--", try #require(stored.first)], on: hosts.storeEndpoint, stdin: nil, timeout: 30)
            await #expect(throws: VerifyFailure.self) {
                _ = try await runners[.mailboxVerify]!.apply(
                    s.verifyStep, context: StepContext(dryRun: false, hosts: hosts.hosts, outputs: { _ in imported }))
            }
        }
    }

    @Test(.enabled(if: agent != nil, "needs the built mailshift (swift build)"))
    func aVersionMismatchNamesTheHostBothVersionsAndTheFix() async throws {
        let agent = try #require(Self.agent)
        try await TwoHostFixture.with { hosts in
            let transport = hosts.transport()
            defer { Task { await transport.close() } }
            let s = scene(hosts)
            try await hosts.write(Self.mailbox(2), to: s.mbox, on: hosts.legacyEndpoint, with: transport)
            let runners = MailboxDriverRunners.all(transport: transport, agentExecutable: agent, agentVersion: "9.9.9")
            do {
                _ = try await runners[.mailboxImport]!.apply(s.importStep, context: StepContext(dryRun: false, hosts: hosts.hosts))
                Issue.record("a mismatched agent was accepted")
            } catch let error as TwoHostFailure {
                #expect(error.disposition == .permanent)
                #expect(error.summary.hasPrefix("store: mailshift agent "), "\(error.summary)")
                #expect(error.summary.contains("9.9.9") && error.summary.contains("protocol 1"), "\(error.summary)")
                #expect(error.hint?.contains("install mailshift 9.9.9 on 127.0.0.1") == true, "\(error.hint ?? "")")
            }
            #expect(try await hosts.files(under: hosts.storeRoot, on: hosts.storeEndpoint, with: transport).isEmpty)
        }
    }
}
