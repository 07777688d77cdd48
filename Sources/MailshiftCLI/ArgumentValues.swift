import ArgumentParser
import MailboxDriver
import Steps

/// `--format`: what a command prints, for people (`text`) or programs (`json`). The same flag
/// name and values on every command.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument { case text, json }

/// `--variant`: how to read an mbox (`auto` detects).
extension MboxVariant: ExpressibleByArgument {}
extension AmbiguousReading: ExpressibleByArgument {}

/// `--mode` of `mbox verify`.
extension VerifyMode: ExpressibleByArgument {}

/// `--mode` of `mbox retire` (keep is not an action).
enum RetireAction: String, CaseIterable, ExpressibleByArgument { case archive, delete }
