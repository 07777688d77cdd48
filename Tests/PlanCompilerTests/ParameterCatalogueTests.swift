import Foundation
import MailshiftTestSupport
import PlanCompiler
import Steps
import Testing

/// Every step the examples compile to carries typed parameters whose references name real steps
/// of the same user, whose store host is a store, and whose per-user strings have no placeholder
/// left once materialised. (Which keys a kind has is the type's business: `Steps/Kinds/`.)
@Suite struct ParameterCatalogueTests {
    static func references(_ action: StepAction) -> [StepReference] {
        switch action {
        case .mailboxVerify(let p): [p.importStep]
        case .sourceRetire(let p): [p.verifyStep]
        case .forwardRestore(let p): [p.divertStep]
        default: []
        }
    }

    static func store(_ action: StepAction) -> StoreTarget? {
        switch action {
        case .mailboxImport(let p): p.store
        case .mailboxVerify(let p): p.store
        case .savedImport(let p): p.store
        case .holdRelease(let p): p.store
        default: nil
        }
    }

    @Test(arguments: ["simple.yaml", "forward.yaml", "choke.yaml", "proxy.yaml", "campus-large.yaml"])
    func everyStepHasItsKindsKeys(_ plan: String) throws {
        let graph = try #require(
            Compiler.compile(planAt: TestPaths.plans.appendingPathComponent(plan).path, resolvedUsers: ["archives": ["zed"]]).graph)
        var kinds = Set<StepKind>()
        let ids = graph.indexByID()
        for i in 0..<graph.stepCount {
            let step = graph.step(i)
            kinds.insert(step.kind)
            #expect(step.parameters.entries.count > 0, "\(step.id) renders no parameters")
            if let store = Self.store(step.action) {
                #expect(store.maildir != nil || store.importArgv != nil || store.countArgv != nil, "\(step.id)")
                #expect(graph.hosts[store.host]?.roles.contains("store") == true, "\(step.id): store host \(store.host)")
            }
            // References name real steps of the same user, and the graph waits for them.
            for ref in Self.references(step.action) {
                let target = try #require(ids[ref.id], "\(step.id) refers to \(ref.id)")
                #expect(graph.step(target).user == step.user, "\(step.id) → \(ref.id)")
            }
            // A per-user step has no {user} left; a batch step keeps it only in per-user commands.
            let texts = step.parameters.entries.flatMap { e -> [String] in
                switch e.value {
                case .text(let s): [s]
                case .list(let l): l
                default: []
                }
            }
            if step.user != nil { #expect(!texts.contains { $0.contains("{user}") || $0.contains("{mbox}") }, "\(step.id)") }
            #expect(step.reversible == (step.kind != .sourceRetire && step.kind != .userDelete))
        }
        #expect(kinds.contains(.mailboxImport) && kinds.contains(.mailboxVerify) && kinds.contains(.ldapSet))
    }
}

/// docs/architecture.md lists each kind's keys; the list must be what the types render.
@Suite struct ParameterCatalogueDocTests {
    @Test func theDocumentedKeysAreTheTypesKeys() throws {
        let doc = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var documented: [String: [String]] = [:]
        for line in doc.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2, StepKind(rawValue: cells[0]) != nil else { continue }
            documented[cells[0]] = cells[1].split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
        }
        for kind in StepKind.allCases {
            let keys = StepAction.sample(kind).parameters.entries.map(\.key)
            #expect(documented[kind.rawValue] == keys, "\(kind.rawValue): the types render \(keys)")
        }
    }
}
