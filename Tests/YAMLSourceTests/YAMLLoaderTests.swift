import Diagnostics
import Testing
import YAMLSource

@Suite struct YAMLLoaderTests {
    static func load(_ text: String, limits: YAMLLimits = .standard) -> YAMLLoadResult {
        YAMLLoader.load(bytes: Array(text.utf8), file: "t.yaml", limits: limits)
    }

    @Test func nodesCarryOneBasedLinesColumnsAndByteOffsets() throws {
        let r = Self.load("a: 1\nbé:\n  - x\n  - \"y\"\n")
        #expect(r.diagnostics.isEmpty)
        let root = try #require(r.document?.root)
        let pairs = root.pairs
        #expect(pairs.map(\.key.value) == ["a", "bé"])
        #expect(pairs[0].value.start == SourceLocation(line: 1, column: 4, offset: 3))
        let list = pairs[1].value
        #expect(list.kind == .sequence)
        #expect(list.children.map(\.value) == ["x", "y"])
        // "bé:\n" is 5 bytes but 4 characters: the offset counts bytes.
        #expect(list.children[0].start == SourceLocation(line: 3, column: 5, offset: 14))
        #expect(list.children[1].style == .quoted)
        #expect(list.children[0].style == .plain)
    }

    @Test func aliasesCopyTheirAnchoredNode() throws {
        let r = Self.load("a: &x [1, 2]\nb: *x\n")
        let root = try #require(r.document?.root)
        #expect(root.pairs[1].value.children.map(\.value) == ["1", "2"])
    }

    @Test func duplicateKeysAreAllReportedWithTheFirstPlace() {
        let r = Self.load("a: 1\nb: 2\na: 3\nb: 4\n")
        #expect(r.diagnostics.map(\.code) == ["yaml.duplicate-key", "yaml.duplicate-key"])
        #expect(r.diagnostics[0].range?.start.line == 3)
        #expect(r.diagnostics[0].notes.first?.range?.start.line == 1)
    }

    @Test func duplicateKeysInLargeMappingsAreFound() {
        let text = (0..<100).map { "k\($0): v\n" }.joined() + "k7: again\n"
        #expect(Self.load(text).diagnostics.map(\.code) == ["yaml.duplicate-key"])
    }

    @Test func billionLaughsIsStopped() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let r = Self.load(text)
        #expect(r.document == nil)
        #expect(r.diagnostics.map(\.code) == ["yaml.alias-expansion"])
    }

    @Test func aliasCyclesAndUndefinedAliasesAreErrors() {
        #expect(Self.load("a: &a [*a]\n").diagnostics.map(\.code) == ["yaml.recursive-alias"])
        #expect(Self.load("a: *nope\n").diagnostics.map(\.code) == ["yaml.undefined-alias"])
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let r = Self.load(deep, limits: YAMLLimits(maxDepth: 64))
        #expect(r.diagnostics.map(\.code) == ["yaml.too-deep"])
    }

    @Test func oneDocumentOnly() {
        #expect(Self.load("a: 1\n---\nb: 2\n").diagnostics.map(\.code) == ["yaml.multiple-documents"])
        #expect(Self.load("---\na: 1\n...\n").diagnostics.isEmpty)
    }

    @Test func nonUTF8IsRejectedWithItsPosition() {
        let r = YAMLLoader.load(bytes: Array("a: 1\nb: caf".utf8) + [0xE9, 0x0A], file: "t.yaml")
        #expect(r.diagnostics.map(\.code) == ["yaml.encoding"])
        #expect(r.diagnostics.first?.range?.start == SourceLocation(line: 2, column: 7, offset: 11))
    }

    @Test func syntaxErrorsHaveAPosition() {
        let r = Self.load("a: [1, 2\nb: 3\n")
        #expect(r.diagnostics.map(\.code) == ["yaml.syntax"])
        #expect(r.diagnostics.first?.range != nil)
    }

    @Test func emptyInputHasNoRoot() {
        let r = Self.load("")
        #expect(r.diagnostics.isEmpty)
        #expect(r.document?.root == nil)
    }

    @Test func missingFileIsADiagnostic() {
        let r = YAMLLoader.load(path: "/nonexistent/plan.yaml")
        #expect(r.diagnostics.map(\.code) == ["yaml.unreadable"])
    }
}
