import Foundation
import PlanCompiler
import Steps
import Testing

/// Every step the examples compile to carries the parameter keys its kind's driver reads
/// (`StepParameters+Catalogue.swift`), with the right value types, and no placeholder is left
/// unexpanded in a materialised step.
@Suite struct ParameterCatalogueTests {
    typealias K = StepParameterKey

    static let required: [StepKind: [(String, String)]] = [
        .ldapSet: [(K.set, "list")],
        .command: [(K.purpose, "text"), (K.argv, "list"), (K.perUser, "flag")],
        .serviceStop: [(K.service, "text"), (K.argv, "list"), (K.wait, "number")],
        .serviceStart: [(K.service, "text"), (K.argv, "list"), (K.wait, "number")],
        .forwardDivert: [(K.forwardFile, "text"), (K.savedPath, "text"), (K.keepLocal, "flag")],
        .forwardRestore: [(K.forwardFile, "text"), (K.divertStep, "text")],
        .mailboxImport: [(K.mbox, "text"), (K.format, "text"), (K.timezone, "text"), (K.storeKind, "text"), (K.storeHost, "text"), (K.lock, "flag")],
        .mailboxVerify: [(K.mbox, "text"), (K.storeKind, "text"), (K.storeHost, "text"), (K.mode, "text"), (K.importStep, "text")],
        .savedImport: [(K.savedPath, "text"), (K.timezone, "text"), (K.storeKind, "text"), (K.storeHost, "text")],
        .holdRelease: [(K.spoolDir, "text"), (K.storeKind, "text"), (K.storeHost, "text")],
        .sourceRetire: [(K.mbox, "text"), (K.mode, "text"), (K.verifyStep, "text")],
        .gate: [(K.message, "text"), (K.autoApprove, "flag")],
    ]

    static func type(_ v: StepParameters.Value) -> String {
        switch v {
        case .text: "text"
        case .list: "list"
        case .number: "number"
        case .flag: "flag"
        }
    }

    @Test(arguments: ["simple.yaml", "forward.yaml", "choke.yaml", "proxy.yaml", "campus-large.yaml"])
    func everyStepHasItsKindsKeys(_ plan: String) throws {
        let graph = try #require(
            Compiler.compile(planAt: TestPaths.plans.appendingPathComponent(plan).path, resolvedUsers: ["archives": ["zed"]]).graph)
        var kinds = Set<StepKind>()
        for i in 0..<graph.stepCount {
            let step = graph.step(i)
            kinds.insert(step.kind)
            for (key, type) in Self.required[step.kind] ?? [] {
                let value = try #require(step.parameters[key], "\(step.id) lacks \(key)")
                #expect(Self.type(value) == type, "\(step.id).\(key)")
            }
            if step.kind == .mailboxImport || step.kind == .mailboxVerify || step.kind == .savedImport {
                #expect(step.parameters.text(K.maildir) != nil || step.parameters.list(K.importArgv) != nil
                    || step.parameters.list(K.countArgv) != nil || step.kind == .mailboxVerify)
            }
            if let storeHost = step.parameters.text(K.storeHost) { #expect(graph.hosts[storeHost]?.roles.contains("store") == true) }
            // References name real steps of the same user.
            for key in [K.importStep, K.verifyStep, K.divertStep] {
                if let ref = step.parameters.text(key) { #expect(graph.indexByID()[ref] != nil, "\(step.id).\(key) = \(ref)") }
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
            #expect(step.reversible == (step.kind != .sourceRetire))
        }
        #expect(kinds.contains(.mailboxImport) && kinds.contains(.mailboxVerify) && kinds.contains(.ldapSet))
    }
}
