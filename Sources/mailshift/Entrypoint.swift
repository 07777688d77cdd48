import Foundation
import MailshiftCLI

@main
enum Entrypoint {
    static func main() async {
        if let usage = SubcommandSuggestion.message(for: Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data(usage.utf8))
            exit(64)
        }
        await Mailshift.main()
    }
}
