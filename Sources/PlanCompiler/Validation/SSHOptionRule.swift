import Diagnostics
import PlanModel

/// `ssh_options` the ssh transport would refuse at run time are refused here (the same list,
/// `SSHOptionPolicy`); options that ask for a prompt, which batch mode never shows, are warned of.
struct SSHOptionRule: ValidationRule {
    static func check(_ input: ValidationInput, into diagnostics: inout DiagnosticList) {
        // A local host's options are never passed to ssh.
        for host in input.plan.hosts where host.connect == .ssh {
            for (i, option) in host.sshOptions.enumerated() {
                let at = i < host.sshOptionRanges.count ? host.sshOptionRanges[i] : host.range
                let name = host.name.value
                switch SSHOptionPolicy.verdict(option) {
                case .allowed: break
                case .malformed: diagnostics.append(.sshOptionMalformed(option, host: name, at: at))
                case .reserved(let key): diagnostics.append(.sshOptionReserved(option, name: key, host: name, at: at))
                case .interactive: diagnostics.append(.sshOptionPrompts(option, host: name, at: at))
                }
            }
        }
    }
}
