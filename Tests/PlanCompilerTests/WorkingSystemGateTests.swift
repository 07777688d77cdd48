import Foundation
@testable import PlanCompiler
import Steps
import Testing

/// The seed's "if the system is working, delete all the migrated accounts": every irreversible
/// step (retire, deluser) waits for a per-batch gate (an approval by default, or the plan's
/// working check), and deluser is its own step per user, on its own host.
@Suite struct WorkingSystemGateTests {
    static let path = TestPaths.plans.appendingPathComponent("simple.yaml").path

    /// plans/simple.yaml with its policy and services edited.
    static func compile(policy: String, services: String = "") -> CompilationResult {
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        text = text.replacingOccurrences(of: "  retire_source: keep            # keep the old spool; delete it by hand after a month\n", with: policy)
        text = text.replacingOccurrences(of: "services:\n", with: "services:\n" + services)
        return Compiler.compile(text: Array(text.utf8), path: path)
    }

    static func query(policy: String, services: String = "") throws -> GraphQuery {
        let result = compile(policy: policy, services: services)
        #expect(result.diagnostics.items.filter { $0.severity == .error }.isEmpty, "\(result.diagnostics)")
        return GraphQuery(try #require(result.graph))
    }

    @Test func retireWaitsForAnApprovalGateByDefault() throws {
        let q = try Self.query(policy: "  retire_source: archive\n  archive_dir: /var/mail.archive\n")
        let gate = try #require(q.step("everyone/confirm-working"))
        #expect(gate.kind == .gate)
        #expect(gate.parameters.flag("auto_approve") == false)
        for user in q.users(of: "everyone") {
            #expect(q.dependsOn("everyone/retire/\(user)", "everyone/confirm-working"))
            #expect(q.dependsOn("everyone/confirm-working", "everyone/verify/\(user)"))
        }
        // It comes after the rest of the batch's move: the new server runs before anyone confirms.
        #expect(q.dependsOn("everyone/confirm-working", "global/start-store-server"))
    }

    @Test func confirmBeforeRetireFalseRemovesTheGate() throws {
        let q = try Self.query(policy: "  retire_source: delete\n  confirm_before_retire: false\n")
        #expect(q.step("everyone/confirm-working") == nil)
        #expect(q.step("everyone/retire/anna") != nil)
    }

    @Test func aPlanThatRetiresNothingHasNoGate() throws {
        let q = try Self.query(policy: "  retire_source: keep\n")
        #expect(q.ids(withPrefix: "everyone/confirm").isEmpty)
        #expect(q.ids(withPrefix: "everyone/retire").isEmpty)
    }

    @Test func aWorkingCheckReplacesTheApproval() throws {
        let q = try Self.query(
            policy: "  retire_source: delete\n",
            services: "  working_check: { host: store, run: [/usr/local/bin/probe-imap, \"{batch}\"], for: 10m, every: 1m, timeout: 20 }\n")
        let check = try #require(q.step("everyone/working-check"))
        #expect(check.kind == .workingCheck && check.host?.name == "store")
        #expect(check.parameters.list("argv") == ["/usr/local/bin/probe-imap", "everyone"])
        #expect(check.parameters.number("period") == 600 && check.parameters.number("interval") == 60 && check.parameters.number("timeout") == 20)
        #expect(q.step("everyone/confirm-working") == nil)
        #expect(q.dependsOn("everyone/retire/anna", "everyone/working-check"))
    }

    @Test func aWorkingCheckAndAnApprovalWhenBothAreAskedFor() throws {
        let q = try Self.query(
            policy: "  retire_source: delete\n  confirm_before_retire: true\n",
            services: "  working_check: { host: store, run: [probe] }\n")
        #expect(q.dependsOn("everyone/confirm-working", "everyone/working-check"))
        #expect(q.dependsOn("everyone/retire/anna", "everyone/confirm-working"))
    }

    @Test func deluserRunsWithKeepToo_onItsOwnHost_afterTheGate() throws {
        let q = try Self.query(
            policy: "  retire_source: keep\n",
            services: "  deluser: { host: store, run: [imdeluser, \"{user}\", \"{mbox}\"], check: [imcheck, \"{user}\"], timeout: 30 }\n")
        #expect(q.ids(withPrefix: "everyone/retire").isEmpty)
        let step = try #require(q.step("everyone/deluser/clara"))
        #expect(step.kind == .userDelete && !step.reversible)
        #expect(step.host?.name == "store")
        #expect(step.parameters.list("argv") == ["imdeluser", "clara", "/var/mail/clara"])
        #expect(step.parameters.list("check") == ["imcheck", "clara"])
        #expect(step.parameters.number("timeout") == 30)
        #expect(q.dependsOn("everyone/deluser/clara", "everyone/confirm-working"))
        #expect(q.dependsOn("everyone/deluser/clara", "everyone/verify/clara"))
    }

    @Test func aWorkingCheckWithNothingIrreversibleIsWarnedAbout() throws {
        let result = Self.compile(policy: "  retire_source: keep\n", services: "  working_check: { host: store, run: [probe] }\n")
        #expect(result.diagnostics.items.contains { $0.code == "compiler.working-check-never-runs" && $0.severity == .warning })
    }

    @Test func userInTheWorkingCheckIsNeverFilledIn() throws {
        let result = Self.compile(
            policy: "  retire_source: delete\n", services: "  working_check: { host: store, run: [probe, \"{user}\"] }\n")
        let d = try #require(result.diagnostics.items.first { $0.code == "compiler.placeholder" })
        #expect(d.message.contains("services.working_check.run") && d.message.contains("once per batch"))
    }

    @Test func anUnknownWorkingCheckHostIsNamed() throws {
        let result = Self.compile(policy: "  retire_source: delete\n", services: "  working_check: { host: stor, run: [probe] }\n")
        #expect(result.diagnostics.items.contains { $0.severity == .error && $0.message.contains("stor") && ($0.hint ?? "").contains("store") })
    }
}
