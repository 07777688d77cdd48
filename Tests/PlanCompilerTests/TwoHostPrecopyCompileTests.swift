import Foundation
@testable import PlanCompiler
import Testing

/// A pre-copy over two machines is refused by `mailshift check`, at the precopy it names.
@Suite struct TwoHostPrecopyCompileTests {
    static let example = TestPaths.plans.appendingPathComponent("precopy.yaml").path

    static func compiled(hosts: String, store: String) throws -> CompilationResult {
        var text = try String(contentsOfFile: example, encoding: .utf8)
        let (hostsLine, storeLine) = (
            "  legacy: { address: mail.chem.example.edu, connect: local, roles: [legacy, proxy, store] }\n",
            "store:  { kind: maildir, host: legacy, path: \"/srv/vmail/{user}/Maildir\" }")
        try #require(text.contains(hostsLine) && text.contains(storeLine))
        text = text.replacingOccurrences(of: hostsLine, with: hosts).replacingOccurrences(of: storeLine, with: store)
        return Compiler.compile(text: Array(text.utf8), path: example)
    }

    @Test func precopyWithTheStoreOnAnotherHostIsAnErrorWithItsLocationAndAHint() throws {
        let result = try Self.compiled(
            hosts: "  legacy: { address: mail.chem.example.edu, connect: local, roles: [legacy, proxy] }\n  newstore: { address: store.chem.example.edu, roles: [store] }\n",
            store: "store:  { kind: maildir, host: newstore, path: \"/srv/vmail/{user}/Maildir\" }")
        let refused = result.diagnostics.errors.filter { $0.code == "compiler.precopy-two-hosts" }
        #expect(refused.count == 2, "the policy's and the batch's precopy: \(result.diagnostics.errors.map(\.code))")
        #expect(result.graph == nil)
        let first = try #require(refused.first)
        #expect(first.message.contains("'legacy'") && first.message.contains("'newstore'"), "\(first.message)")
        #expect(first.range != nil, "points at the precopy in the plan")
        #expect(first.hint?.contains("turn precopy off") == true)
    }

    @Test func bothEndsOnThisMachineStillPrecopy() throws {
        let result = try Self.compiled(
            hosts: "  legacy: { address: mail.chem.example.edu, connect: local, roles: [legacy, proxy] }\n  newstore: { address: localhost, connect: local, roles: [store] }\n",
            store: "store:  { kind: maildir, host: newstore, path: \"/srv/vmail/{user}/Maildir\" }")
        #expect(!result.diagnostics.errors.contains { $0.code == "compiler.precopy-two-hosts" }, "\(result.diagnostics.errors.map(\.message))")
    }
}
