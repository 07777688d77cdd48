import Diagnostics

/// A verify that found the store short only by mail appended to the source after its import:
/// the same file, grown, every message the import read present and nothing extra. The executor
/// then runs the import again (it adds only what is missing) and verifies again, a bounded number
/// of times, instead of failing a verify that a resume would repeat forever.
public struct ArrivalsAfterImport: StepFailure, Hashable {
    public var file: String
    /// The import step whose run stored the rest (`<batch>/import/<user>`).
    public var importStepID: String
    /// Messages appended since the import read the source.
    public var arrived: Int
    /// How many import-and-verify rounds were spent when this is final (0 while catching up).
    public var rounds: Int

    public init(file: String, importStepID: String, arrived: Int, rounds: Int = 0) {
        self.file = file
        self.importStepID = importStepID
        self.arrived = arrived
        self.rounds = rounds
    }

    public var disposition: FailureDisposition { .permanent }
    public var summary: String {
        "\(file): verify failed: \(arrived) messages arrived after the import"
            + (rounds > 0 ? ", still arriving after \(rounds) rounds of importing them" : "")
    }
    public var hint: String? { "mail is still being delivered to this spool: stop it, then `mailshift resume` imports the rest" }
    public var diagnosticCode: DiagnosticCode { "mailbox.arrivals-after-import" }
    public var subject: RunSubject? { RunSubject(file: file) }
}
