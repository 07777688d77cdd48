import ArgumentParser
import Diagnostics
import Foundation
import PlanCompiler

/// `mailshift graph PLAN`: the step graph a plan compiles to, as text, Graphviz or JSON.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Show the steps a plan compiles to, in an order they can run.",
        discussion: """
            text lists each step family (a per-user step once, with its user count) with its \
            parameters and what it waits for; dot is Graphviz source with each batch as a cluster; \
            json is a stable machine format.

              mailshift graph plan.yaml
              mailshift graph plan.yaml --format dot | dot -Tsvg > plan.svg
              mailshift graph plan.yaml --format json
            """)

    @Argument(help: "The plan file.")
    var plan: String

    @Option(help: "Output format: text, dot or json.")
    var format: GraphFormat = .text

    @Flag(help: "With --format text, also list every step id (one line per user step).")
    var steps = false

    enum GraphFormat: String, ExpressibleByArgument, CaseIterable { case text, dot, json }

    func run() throws {
        let result = Compiler.compile(planAt: plan)
        guard let graph = result.graph, !result.diagnostics.hasErrors else {
            DiagnosticPrinter.writeError(DiagnosticPrinter.text(result.diagnostics, sources: result.sources))
            DiagnosticPrinter.writeError("\(plan): \(DiagnosticPrinter.tally(result.diagnostics))\n")
            throw ExitCode.planInvalid
        }
        switch format {
        case .text: print(GraphTextRenderer.render(graph, listSteps: steps), terminator: "")
        case .dot: print(GraphDOTRenderer.render(graph), terminator: "")
        case .json: print(try GraphJSONRenderer.render(graph), terminator: "")
        }
    }
}
