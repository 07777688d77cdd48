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

    /// True if `word` contains anything other than characters a shell never interprets.
    public static func needsQuoting(_ word: String) -> Bool {
        if word.isEmpty { return true }
        return !word.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
                || "-_./=:,+@%".unicodeScalars.contains(c)
        }
    }
}
