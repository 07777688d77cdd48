import Digest
import MailshiftTestSupport
import Steps
import Testing

@testable import PlanCompiler

/// The compiler refuses a graph in which a source could be retired before its verify passed.
@Suite struct GraphSafetyCheckTests {
    static func graph(_ templates: [StepTemplate]) -> StepGraph {
        let users = ["alice", "bob", "carol"]
        let batches = [
            BatchInfo(name: "a", users: 0..<2, usersFingerprint: Fingerprint(fields: ["alice", "bob"])),
            BatchInfo(name: "b", users: 2..<3, usersFingerprint: Fingerprint(fields: ["carol"])),
        ]
        return StepGraph(planName: "t", strategy: "simple", users: users, batches: batches, templates: templates)
    }

    static func t(_ id: String, _ kind: StepKind, batch: Int?, perUser: Bool = true, _ deps: [TemplateDependency] = []) -> StepTemplate {
        StepTemplate(idPrefix: id, action: .sample(kind), batch: batch, fanout: perUser ? .perUser : .single, dependencies: deps)
    }

    @Test func retireAfterSameUsersVerifyPasses() {
        let g = Self.graph([
            Self.t("a/import", .mailboxImport, batch: 0), Self.t("a/verify", .mailboxVerify, batch: 0, [.sameUser(0)]),
            Self.t("a/set", .ldapSet, batch: 0, perUser: false, [.all(1)]), Self.t("a/retire", .sourceRetire, batch: 0, [.all(2)]),
        ])
        #expect(GraphSafetyCheck.check(g).isEmpty)
    }

    @Test func retireWithoutVerifyIsRefused() {
        let g = Self.graph([
            Self.t("a/import", .mailboxImport, batch: 0), Self.t("a/retire", .sourceRetire, batch: 0, [.sameUser(0)]),
        ])
        #expect(GraphSafetyCheck.check(g).map(\.code) == ["compiler.unsafe-retire"])
    }

    @Test func verifyOfAnotherBatchDoesNotCount() {
        let g = Self.graph([
            Self.t("b/import", .mailboxImport, batch: 1), Self.t("b/verify", .mailboxVerify, batch: 1, [.sameUser(0)]),
            Self.t("a/import", .mailboxImport, batch: 0), Self.t("a/retire", .sourceRetire, batch: 0, [.sameUser(2), .all(1)]),
        ])
        #expect(GraphSafetyCheck.check(g).map(\.code) == ["compiler.unsafe-retire"])
    }

    @Test func aBatchScopeRetireIsRefused() {
        let g = Self.graph([
            Self.t("a/verify", .mailboxVerify, batch: 0), Self.t("a/retire", .sourceRetire, batch: 0, perUser: false, [.all(0)]),
        ])
        #expect(GraphSafetyCheck.check(g).map(\.code) == ["compiler.unsafe-retire"])
    }

    @Test func aCycleIsRefused() {
        let g = Self.graph([Self.t("a/x", .command, batch: 0, perUser: false, [.all(1)]), Self.t("a/y", .command, batch: 0, perUser: false, [.all(0)])])
        #expect(GraphSafetyCheck.check(g).map(\.code) == ["compiler.graph-cycle"])
    }
}
