import Diagnostics
import Steps

/// The fixed `ssh` command line for one plan host: batch mode, strict host keys, then the plan's
/// user, port, identity file and `-o` options.
///
/// ssh keeps the *first* value it sees for an option, so the safety options come first and the
/// plan cannot weaken them; a plan option that tries to is refused with a clear error instead of
/// being silently ignored.
struct SSHOptions {
    var configFile: String?
    var connectTimeout: Int

    /// Checks the host's fields; throws a permanent `CommandFailure` naming the bad one.
    func validate(_ host: HostEndpoint) throws {
        func bad(_ why: String) -> CommandFailure {
            CommandFailure(.invalidInput(why), host: host.name, command: "ssh \(host.address)")
        }
        let address = host.address
        if address.isEmpty || address.hasPrefix("-") || address.contains(where: { $0.isWhitespace || $0.isASCIIControl }) {
            throw bad("the address '\(address)' is not a host name")
        }
        if let user = host.user, user.isEmpty || user.hasPrefix("-") || user.contains(where: { $0.isWhitespace || $0.isASCIIControl || $0 == "@" }) {
            throw bad("the ssh user '\(user)' is not a login name")
        }
        if let port = host.port, !(1...65535).contains(port) { throw bad("port \(port) is out of range") }
        for option in host.sshOptions {
            // The same list `check` refuses (options mailshift owns; a plan may not set them).
            let key = SSHOptionPolicy.name(of: option) ?? ""
            if key.isEmpty || option.contains(where: \.isASCIIControl) { throw bad("ssh option '\(option)' is malformed") }
            if SSHOptionPolicy.reserved.contains(key) {
                throw bad("ssh option '\(option)' is set by mailshift (batch mode, strict host keys, multiplexing) and cannot be changed by the plan")
            }
        }
    }

    /// Options every ssh invocation for `host` carries, before the destination.
    func common(for host: HostEndpoint) -> [String] {
        var args = ["ssh"]
        if let configFile { args += ["-F", configFile] }
        args += ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-T", "-x"]
        if let port = host.port { args += ["-p", String(port)] }
        if let user = host.user { args += ["-l", user] }
        if let identity = host.identityFile { args += ["-i", identity] }
        for option in host.sshOptions { args += ["-o", option] }
        // Soft defaults after the plan's options, so the plan's own values win.
        args += ["-o", "ConnectTimeout=\(connectTimeout)", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3"]
        return args
    }
}

extension Character {
    var isASCIIControl: Bool { asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false }
}
