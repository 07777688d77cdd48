import Diagnostics
import Testing

@Suite struct DiagnosticRendererTests {
    @Test func printsLocationSourceLineCaretAndHint() {
        let d = Diagnostic.error(
            "plan.unknown-host", "unknown host 'stor1'",
            at: SourceRange(file: "plan.yaml", start: .init(line: 2, column: 10), end: .init(line: 2, column: 15)),
            hint: "did you mean 'store1'?")
        let text = DiagnosticRenderer(sources: ["plan.yaml": "version: 1\nhost: [a, stor1]\n"]).render(d)
        #expect(text == """
            plan.yaml:2:10: error: unknown host 'stor1'
              host: [a, stor1]
                       ^~~~~
              hint: did you mean 'store1'?

            """)
    }
}
