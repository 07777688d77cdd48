import Foundation
import Lab
import MailshiftTestSupport
import Testing

/// A command reads its plan once and lowers it once, `users_from` search included: the real
/// binary, with `MAILSHIFT_COMPILE_TRACE=1`, against a real slapd.
@Suite struct CompileOnceTests {
    static func traced(_ arguments: [String]) throws -> (status: Int32, loads: Int, lowerings: Int) {
        let binary = try #require(BuiltMailshift.path, "build the mailshift product first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["MAILSHIFT_COMPILE_TRACE"] = "1"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n")
        return (process.terminationStatus, lines.filter { $0.hasPrefix("mailshift-trace: load ") }.count,
            lines.filter { $0.hasPrefix("mailshift-trace: lower ") }.count)
    }

    @Test func everyCommandCompilesItsPlanOnce() throws {
        let slapd = try SlapdFixture(users: ["ann", "bob"].map { DirectoryUser.mailUser($0) })
        defer { slapd.stop() }
        let plan = try UsersFromRunTests.writePlan(slapd)
        let state = slapd.temp.file("state")
        for arguments in [
            ["run", plan, "--state", state, "--dry-run"],
            ["run", plan, "--state", state],  // searches users_from, journals, stops at the gate
            ["status", plan, "--state", state],
            ["approve", plan, "archive/approve", "--state", state],
            ["resume", plan, "--state", state],
        ] {
            let r = try Self.traced(arguments)
            #expect(r.status == 0 || r.status == 3, "\(arguments): exit \(r.status)")
            #expect(r.loads == 1, "\(arguments[0]): read the plan \(r.loads) times")
            #expect(r.lowerings == 1, "\(arguments[0]): lowered the plan \(r.lowerings) times")
        }
    }
}
