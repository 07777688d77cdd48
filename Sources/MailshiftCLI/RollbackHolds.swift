import Journal
import Steps

/// What a batch's rollback undoes besides the directory: delivery held or diverted for the move
/// and not yet given back. A choke hold (`choke-hold` done, `choke-release` not) is released with
/// the plan's release command; the proxy's hold channel (`hold-slave` done, `hold-master` not)
/// with `hold_master`; a `.forward` diversion (`divert` done, `restore` not) is restored.
/// The hold step is then journaled rolled back, so a resume holds again before moving on.
struct RollbackHolds {
    struct Undo {
        /// The steps that held (journaled rolled back once undone).
        var held: [Int]
        /// The step whose action gives the delivery back, run now.
        var release: StepInstance
        var what: String
    }

    private(set) var undos: [Undo] = []

    init(batch b: Int, graph: StepGraph, journal: JournalState) {
        let templates = graph.templates.indices.filter { graph.templates[$0].batch == b }
        func purpose(_ t: Int) -> String? {
            if case .command(let p) = graph.templates[t].action { return p.purpose }
            return nil
        }
        func acted(_ t: Int) -> [Int] { graph.steps(ofTemplate: t).filter { journal.status[$0] == .done || journal.status[$0] == .started } }
        func given(_ t: Int) -> Bool { graph.steps(ofTemplate: t).allSatisfy { journal.status[$0] == .done } }
        let pairs: [(hold: Int?, release: Int?, what: String)] = [
            (templates.first { purpose($0) == "choke_hold" }, templates.first { purpose($0) == "choke_release" }, "release the choke hold"),
            (templates.first { purpose($0) == "hold_slave" }, templates.first { purpose($0) == "hold_master" }, "release the held mail (hold_master)"),
            (templates.first { graph.templates[$0].kind == .forwardDivert }, templates.first { graph.templates[$0].kind == .forwardRestore },
                "restore the diverted .forward files"),
        ]
        for pair in pairs {
            guard let hold = pair.hold, let release = pair.release, !given(release) else { continue }
            let held = acted(hold)
            guard !held.isEmpty, graph.templates[release].fanout == .single else { continue }
            undos.append(Undo(held: held, release: graph.step(graph.steps(ofTemplate: release).lowerBound), what: pair.what))
        }
    }

    var isEmpty: Bool { undos.isEmpty }

    /// One preview line per undo: what runs, where.
    static func line(_ undo: Undo) -> String {
        let how: String
        switch undo.release.action {
        case .command(let p): how = "`\(p.argv.joined(separator: " "))`" + (p.perUser ? " per user" : "")
        case .forwardRestore(let p): how = "back to \(p.forwardFile)'s journaled previous contents"
        default: how = undo.release.kind.rawValue
        }
        let users = undo.release.actingUsers.count
        return "~ \(undo.what) (\(undo.release.id)) on \(undo.release.targetHost.name) for \(users) users: \(how)"
    }

    /// Runs each undo's release step with the run's drivers; returns the hold steps undone.
    func apply(graph: StepGraph, journal: JournalState, runners: @Sendable (StepKind) -> (any StepRunner)?) async throws -> [Int] {
        let locator = StepLocator(graph: graph)
        let outputs = journal.outputs
        let context = StepContext(
            dryRun: false, hosts: graph.hosts, directory: graph.directory,
            outputs: { id in locator.index(of: id).flatMap { outputs[$0] } })
        var undone: [Int] = []
        for undo in undos {
            guard let runner = runners(undo.release.kind) else { continue }
            _ = try await runner.apply(undo.release, context: context)
            undone += undo.held
        }
        return undone
    }
}
