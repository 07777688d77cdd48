import Foundation

/// Tells ssh's own failures apart from the remote command's, from ssh's exit status and stderr.
///
/// ssh exits 255 when it fails itself; a remote command may also exit 255, so 255 only counts as
/// ssh's failure when stderr carries one of ssh's diagnostics.
enum SSHDiagnosis {
    static func classify(status: Int32, stderr: Data) -> CommandFailure.Reason? {
        guard status == 255 else { return nil }
        let text = String(decoding: stderr.suffix(8192), as: UTF8.self).lowercased()
        // Permanent first: a host key mismatch is also "connection closed" later in the text.
        let hostKey = [
            "host key verification failed", "remote host identification has changed",
            "no matching host key type", "host key for", "no ed25519 host key is known",
        ]
        if hostKey.contains(where: text.contains) { return .sshHostKey }
        if text.contains("permission denied") || text.contains("too many authentication failures") {
            return .sshAuthentication
        }
        let unreachable = [
            "connection refused", "connection timed out", "operation timed out", "no route to host",
            "network is unreachable", "could not resolve hostname", "name or service not known",
            "temporary failure in name resolution", "connection closed by", "connection reset",
            "kex_exchange_identification", "broken pipe", "timeout, server", "not responding",
        ]
        if unreachable.contains(where: text.contains) { return .sshUnreachable }
        if text.contains("ssh:") || text.contains("mux_client") || text.contains("control socket")
            || text.contains("session open refused") {
            return .sshFailed
        }
        return nil
    }
}
