import Diagnostics
import Testing

/// A name from a hostile file or directory entry cannot drive the operator's terminal.
@Suite struct TerminalSafeTextTests {
    @Test func controlCharactersInEveryPartRenderEscaped() {
        let hostile = "eve\u{1B}[2J\u{07}"
        let d = Diagnostic.error(
            "compiler.unsafe-user", "user name '\(hostile)' is not a portable name",
            at: SourceRange(file: "users\u{1B}]0;x\u{07}.txt", start: .init(line: 1, column: 4), end: .init(line: 1, column: 12)),
            hint: "not \u{9B}31m\u{7F}", notes: [.init(message: "see \u{202E}gnp.exe")])
        let text = DiagnosticRenderer(sources: ["users\u{1B}]0;x\u{07}.txt": "\tx \(hostile)!\n"]).render(d)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        #expect(!text.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
        #expect(text == """
            users\\x1B]0;x\\x07.txt:1:4: error: user name 'eve\\x1B[2J\\x07' is not a portable name
              \tx eve\\x1B[2J\\x07!
              \t  ^~~~~~~~~~~~~~
              hint: not \\x9B31m\\x7F
            note: see \\u202Egnp.exe

            """)
    }

    @Test func theCaretStaysUnderTheSameCharacterAfterAnEscape() {
        let d = Diagnostic.error("t", "m", at: SourceRange(file: "f", start: .init(line: 1, column: 3)))
        let text = DiagnosticRenderer(sources: ["f": "\u{1B}ab"]).render(d)
        #expect(text.hasSuffix("  \\x1Bab\n       ^\n"))
    }

    @Test func plainTextIsUnchanged() {
        #expect(TerminalSafeText.escape("café\tπ") == "café\\x09π")
        #expect(TerminalSafeText.escape("café\tπ", keepTabs: true) == "café\tπ")
    }

    @Test func jsonGetsDELAndC1AsUnicodeEscapes() {
        let json = Array("{\"m\":\"a\u{7F}\u{9B}\u{202E}é\"}".utf8)
        #expect(String(decoding: TerminalSafeText.escapeJSON(json), as: UTF8.self) == "{\"m\":\"a\\u007f\\u009b\\u202eé\"}")
    }
}
