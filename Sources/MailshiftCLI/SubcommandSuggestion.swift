import ArgumentParser
import Diagnostics

/// "Did you mean …?" for a mistyped subcommand (`mailshift stauts`, `mailshift mbox imprt`),
/// before the argument parser reports it as unexpected arguments.
public enum SubcommandSuggestion {
    /// A usage message when the first word that should name a subcommand names none, else nil.
    public static func message(for arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = Mailshift.self
        var path = ["mailshift"]
        for word in arguments {
            let children = command.configuration.subcommands
            guard !children.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            let names = children.filter { $0.configuration.shouldDisplay }.compactMap { $0.configuration.commandName }
            if let next = children.first(where: { $0.configuration.commandName == word }) {
                command = next
                path.append(word)
                continue
            }
            let listed = names.joined(separator: ", ")
            var text = "\(path.joined(separator: " ")): '\(word)' is not a command"
            if let near = NameSuggester.suggest(word, among: names) { text += "; did you mean '\(near)'?" }
            return text + "\n  commands: \(listed)\n  see '\(path.joined(separator: " ")) --help'\n"
        }
        return nil
    }
}
