/// What a plan may put in a host's `ssh_options` (`ssh -o` options).
///
/// Lives here, below both the compiler and the command driver, so `check` refuses exactly the
/// options the ssh transport refuses when it runs, and the two lists cannot drift apart.
public enum SSHOptionPolicy {
    /// Options mailshift sets first on every ssh command line (batch mode, strict host keys,
    /// multiplexing). ssh keeps the first value it sees, so a plan's value would be silently
    /// ignored: it is refused instead.
    public static let reserved: Set<String> = ["batchmode", "stricthostkeychecking", "controlmaster", "controlpath", "controlpersist"]

    /// Authentication that needs someone to type a password or answer a challenge. In batch mode
    /// ssh never prompts, so these methods can never succeed.
    public static let interactive: Set<String> = ["passwordauthentication", "kbdinteractiveauthentication", "challengeresponseauthentication"]

    public enum Verdict: Equatable, Sendable {
        case allowed
        /// No option name, or a control character.
        case malformed
        /// Set by mailshift; the lowercased option name.
        case reserved(String)
        /// Turns on a method that needs a prompt; the lowercased option name.
        case interactive(String)
    }

    /// The option's name, lowercased (ssh's names are case-insensitive): what comes before the
    /// first `=` or blank. Nil when there is none (`=yes`, ` BatchMode=no`): such an option is
    /// malformed.
    public static func name(of option: String) -> String? {
        let name = option.prefix(while: { $0 != "=" && $0 != " " }).lowercased()
        return name.isEmpty ? nil : name
    }

    /// The option's value after `=` or blanks, lowercased.
    static func value(of option: String) -> String {
        guard let end = option.firstIndex(where: { $0 == "=" || $0 == " " }) else { return "" }
        return option[end...].drop(while: { $0 == "=" || $0 == " " }).lowercased()
    }

    public static func verdict(_ option: String) -> Verdict {
        let control = option.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        guard let name = name(of: option), !control else { return .malformed }
        if reserved.contains(name) { return .reserved(name) }
        if interactive.contains(name), value(of: option) == "yes" { return .interactive(name) }
        return .allowed
    }
}
