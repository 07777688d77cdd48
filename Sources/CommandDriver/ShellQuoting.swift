/// Quoting for the remote POSIX shell that sshd runs our command through.
///
/// ssh sends one command string; the remote login shell (`sh -c`) splits it. Wrapping every
/// argument in single quotes, with each `'` written as `'\''`, makes the shell see each argument
/// as exactly one literal word: nothing inside single quotes is special (no `$`, backquote, `;`,
/// glob or newline meaning). The remote account's shell must be POSIX-like (sh, bash, ksh, dash);
/// csh-family shells treat `!` and newlines inside quotes differently and are not supported.
public enum ShellQuoting {
    /// `word` as one single-quoted shell word (`''` for the empty string).
    public static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The command line the remote shell will split back into exactly `argv`.
    public static func commandLine(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    /// The command line for `argv` with a deadline enforced on the remote side as well: killing
    /// the local ssh client at a timeout does not stop the remote command (sshd keeps it running
    /// without a terminal), so where the remote host has coreutils' `timeout` the command runs
    /// under it (TERM at the deadline, KILL 5 s later, to its whole process group). Without
    /// `timeout` it runs as before. `seconds <= 0`: no deadline.
    public static func commandLine(_ argv: [String], deadline seconds: Double) -> String {
        let line = commandLine(argv)
        guard seconds > 0 else { return line }
        let limit = String(Int(seconds.rounded(.up)))
        return "if command -v timeout >/dev/null 2>&1; then exec timeout -k 5 \(limit) \(line); else exec \(line); fi"
    }

    /// True if `word` contains anything other than characters a shell never interprets.
    public static func needsQuoting(_ word: String) -> Bool {
        if word.isEmpty { return true }
        return !word.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
                || "-_./=:,+@%".unicodeScalars.contains(c)
        }
    }
}
