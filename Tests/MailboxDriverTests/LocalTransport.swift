import CommandDriver
import Foundation
import Steps

/// A minimal `CommandTransport` for these tests: runs argv locally with Foundation's Process
/// (no shell). The real one (local and ssh) lives in CommandDriver.
struct LocalTransport: CommandTransport {
    func run(_ argv: [String], on host: HostEndpoint, stdin: Data?, timeout: Double) async throws -> CommandOutcome {
        guard host.connect == .local, let exe = argv.first else { throw StepError.permanent("LocalTransport runs local argv only") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe.hasPrefix("/") ? exe : "/usr/bin/env")
        p.arguments = exe.hasPrefix("/") ? Array(argv.dropFirst()) : argv
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CommandOutcome(status: p.terminationStatus, stdout: o, stderr: e)
    }
}
