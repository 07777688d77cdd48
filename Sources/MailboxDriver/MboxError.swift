import Diagnostics
import Steps

/// A mailbox that cannot be read: names the file and the byte offset where reading stopped.
///
/// Always permanent: the same bytes give the same error on a retry. Nothing is written for a
/// mailbox that raises one (imports validate the whole file before writing).
public struct MboxError: StepFailure, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The first line is not a From_ line.
        case notMbox = "not an mbox"
        /// A NUL byte where text must be (zero-filled blocks after a crash, a binary file).
        case binaryData = "binary data"
        /// A header section larger than the reader accepts.
        case headerTooLarge = "header section too large"
        /// The file could not be opened, read or stat'ed.
        case unreadable = "unreadable"
        /// The spool lock could not be taken within the timeout.
        case lockTimeout = "lock timeout"
        /// A destination write failed.
        case writeFailed = "write failed"
        /// `format: auto` cannot tell mboxo from mboxrd and the plan did not say which to read.
        case ambiguousVariant = "ambiguous variant"
    }

    public var kind: Kind
    public var file: String
    public var offset: Int
    public var detail: String

    public init(_ kind: Kind, file: String, offset: Int, detail: String = "") {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.detail = detail
    }

    /// `format: auto` met a file mboxo and mboxrd read differently (the reader's refusal, and
    /// the preview's when it read the file to describe it).
    static func ambiguous(_ file: String, offset: Int) -> MboxError {
        MboxError(.ambiguousVariant, file: file, offset: offset,
            detail: "`>From ` lines and no `>>From `: mboxo and mboxrd read this file differently")
    }

    public var disposition: FailureDisposition { kind == .lockTimeout ? .transient : .permanent }

    public var summary: String {
        "\(file): byte \(offset): \(kind.rawValue)" + (detail.isEmpty ? "" : ": \(detail)")
    }

    public var hint: String? {
        switch kind {
        case .notMbox: "check the path, or pin `format:` for this source; the file was left untouched"
        case .binaryData: "the mailbox is damaged at that offset; repair or remove the damaged part and re-run"
        case .headerTooLarge: "a message's header section has no end; the file may not be an mbox"
        case .unreadable: "check that the file exists and that mailshift may read it"
        case .lockTimeout: "the MTA is still delivering to this mailbox; stop it or retry later"
        case .writeFailed: "check free space and permissions of the Maildir"
        case .ambiguousVariant:
            "say how your MDA wrote it: `format: mboxo` or `mboxrd` in the plan's source section, or `if_ambiguous: mboxo|mboxrd` to keep detecting the rest; the file was left untouched"
        }
    }

    public var description: String { summary }
    public var subject: RunSubject? { RunSubject(file: file, byte: offset) }
    public var diagnosticCode: DiagnosticCode {
        switch kind {
        case .notMbox: "mailbox.not-mbox"
        case .binaryData: "mailbox.binary-data"
        case .headerTooLarge: "mailbox.header-too-large"
        case .unreadable: "mailbox.unreadable"
        case .lockTimeout: "mailbox.lock-timeout"
        case .writeFailed: "mailbox.write-failed"
        case .ambiguousVariant: "mailbox.ambiguous-variant"
        }
    }
}

/// Something unusual a reader recovered from (reported by `mbox inspect` and logged by imports).
public struct MboxWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Content-Length did not land on a From_ line or the end of file; From_ scanning used instead.
        case contentLengthMismatch = "Content-Length mismatch"
        /// A line starting `From ` inside a body that is not a valid From_ line (kept as body).
        case suspiciousFromLine = "unescaped From line in body"
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "byte \(offset): \(kind.rawValue)" }
}
