import CommandDriver
import Foundation
import Steps

/// Preflight of the programs the plan's commands and services run: each must exist on its host
/// (`command -v` there, one probe per program and host; on this machine, a PATH search).
struct CommandPreflight: Sendable {
    let transport: any CommandTransport
    private var wanted: [String: (host: HostEndpoint, programs: Set<String>)] = [:]

    init(transport: any CommandTransport) {
        self.transport = transport
    }

    mutating func need(_ argv: [String], on host: HostEndpoint) {
        guard let program = argv.first, !program.isEmpty, !program.contains("{") else { return }
        wanted[host.name, default: (host, [])].programs.insert(program)
    }

    func checks() async -> [PreflightCheck] {
        guard !wanted.isEmpty else { return [] }
        var problems: [PreflightCheck.Problem] = []
        var probed = 0
        for (name, entry) in wanted.sorted(by: { $0.key < $1.key }) {
            for program in entry.programs.sorted() {
                probed += 1
                if entry.host.connect == .local {
                    if !Self.findsLocally(program) {
                        problems.append(.init(subject: "\(name): \(program)", reason: "not found on this machine",
                            hint: "install it, or give its absolute path in the plan"))
                    }
                    continue
                }
                // `command -v` is a shell builtin: the program name goes as an argument, not code.
                let probe = ["/bin/sh", "-c", "command -v \"$1\" >/dev/null", "sh", program]
                do {
                    let outcome = try await transport.run(probe, on: entry.host, stdin: nil, timeout: 30)
                    if outcome.status != 0 {
                        problems.append(.init(subject: "\(name): \(program)", reason: "not found on \(name)",
                            hint: "install it there, or give its absolute path in the plan"))
                    }
                } catch {
                    let failure = error as? any StepFailure
                    problems.append(.init(subject: name, reason: failure?.summary ?? "\(error)", hint: failure?.hint))
                }
            }
        }
        return [PreflightCheck("commands", detail: "\(probed) programs on \(wanted.count) hosts", problems: problems)]
    }

    static func findsLocally(_ program: String) -> Bool {
        let fm = FileManager.default
        if program.contains("/") { return fm.isExecutableFile(atPath: program) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { fm.isExecutableFile(atPath: "\($0)/\(program)") }
    }
}
