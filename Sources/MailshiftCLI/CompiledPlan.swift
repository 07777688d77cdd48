import ArgumentParser
import Diagnostics
import Foundation
import Journal
import PlanCompiler
import Steps

/// What every executor command starts with: the plan compiled (diagnostics printed on failure),
/// and its journal located (`--state PATH`, or `.mailshift/<plan name>/` beside the plan).
struct CompiledPlan {
    let path: String
    let graph: StepGraph
    let store: FileJournalStore

    /// Compiles `path`; on errors prints every diagnostic and throws `ExitCode.planInvalid`.
    static func load(_ path: String, state: String?) throws -> CompiledPlan {
        let result = Compiler.compile(planAt: path)
        let renderer = DiagnosticRenderer(sources: result.sources)
        let shown = result.diagnostics.items.filter { $0.severity >= .warning }
        if !shown.isEmpty { Console.error(renderer.render(shown)) }
        guard let graph = result.graph, !result.diagnostics.items.contains(where: { $0.severity == .error }) else {
            throw ExitCode.planInvalid
        }
        let directory = state ?? FileJournalStore.defaultDirectory(planPath: path, planName: graph.planName)
        return CompiledPlan(path: path, graph: graph, store: FileJournalStore(directory: directory))
    }

    /// Takes the journal's lock or explains who holds it and exits `journalUnavailable`.
    func lock(command: String) throws -> any JournalLease {
        do {
            return try store.acquireLock(command: command)
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint?.replacingOccurrences(of: "PLAN", with: path))
            throw ExitCode.journalUnavailable
        }
    }

    /// Replays the journal onto the graph, printing warnings (a dropped torn record).
    func replay(quiet: Bool = false) throws -> JournalState {
        do {
            let state = try JournalState.load(from: store, for: graph)
            if !quiet { for w in state.warnings { Console.error("warning: \(w)\n") } }
            return state
        } catch let error as JournalError {
            Console.fail(error.description, hint: error.hint)
            throw ExitCode.journalUnavailable
        }
    }

    /// Resolved secret values the executor must never journal or print.
    var secrets: [String] {
        guard let reference = graph.directory?.password else { return [] }
        switch reference {
        case .environment(let name): return ProcessInfo.processInfo.environment[name].map { [$0] } ?? []
        case .file(let file):
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            let trimmed = text.trimmingCharacters(in: .newlines)
            return trimmed.isEmpty ? [] : [trimmed]
        }
    }
}

/// Writing to the terminal: results on stdout, diagnostics and progress on stderr.
enum Console {
    static func out(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    static func error(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func fail(_ message: String, hint: String? = nil) {
        var text = "error: \(message)\n"
        if let hint { text += "  hint: \(hint)\n" }
        error(text)
    }
}
