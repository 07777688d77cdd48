import Foundation
import Testing

@testable import PlanCompiler

/// Damaged plans never crash the compiler: every truncation of each example, and random byte
/// changes, end in diagnostics (or a graph), never a trap.
@Suite struct RobustnessTests {
    static let examples = TestPaths.yamlFiles(in: TestPaths.plans)

    @Test(arguments: examples) func everyTruncationIsHandled(_ name: String) throws {
        let path = TestPaths.plans.appendingPathComponent(name).path
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            let result = Compiler.compile(text: Array(bytes[..<cut]), path: path)
            #expect(result.graph != nil || !result.diagnostics.isEmpty, "cut at \(cut)")
        }
    }

    @Test(arguments: examples) func randomByteChangesAreHandled(_ name: String) throws {
        let path = TestPaths.plans.appendingPathComponent(name).path
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var rng = SplitMix(seed: UInt64(name.utf8.count) &* 0x9E37_79B9)
        let alphabet = Array(" -:[]{},&*!|>'\"#\n\t%@`a0".utf8) + [0xFF, 0x80, 0xC3]
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            let result = Compiler.compile(text: bytes, path: path)
            #expect(result.graph != nil || !result.diagnostics.isEmpty)
        }
    }
}

/// A tiny deterministic generator so failures reproduce.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
