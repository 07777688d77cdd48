/// How bad a diagnostic is. Only `error` stops a plan from compiling.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// A stable identifier for a kind of problem, e.g. `plan.unknown-key`. Codes are part of the
/// JSON output and of golden files: never renumber or reuse one.
public struct DiagnosticCode: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}

/// A problem found in some input, as a value: producers collect these; only the CLI prints them.
public struct Diagnostic: Sendable, Hashable, Codable, Error {
    public var code: DiagnosticCode
    public var severity: Severity
    public var message: String
    public var range: SourceRange?
    /// How to fix it, one sentence, shown after the caret line.
    public var hint: String?
    /// Secondary locations, e.g. "first listed here" for a duplicate.
    public var notes: [Note]
    /// For a problem found while running: the step, host, user and file it concerns.
    public var subject: RunSubject?

    public struct Note: Sendable, Hashable, Codable {
        public var message: String
        public var range: SourceRange?
        public init(message: String, range: SourceRange? = nil) {
            self.message = message
            self.range = range
        }
    }

    public init(
        _ severity: Severity, _ code: DiagnosticCode, _ message: String, at range: SourceRange? = nil,
        hint: String? = nil, notes: [Note] = [], subject: RunSubject? = nil
    ) {
        self.code = code
        self.severity = severity
        self.message = message
        self.range = range
        self.hint = hint
        self.notes = notes
        self.subject = subject
    }

    public static func error(
        _ code: DiagnosticCode, _ message: String, at range: SourceRange? = nil, hint: String? = nil,
        notes: [Note] = [], subject: RunSubject? = nil
    ) -> Diagnostic {
        Diagnostic(.error, code, message, at: range, hint: hint, notes: notes, subject: subject)
    }

    public static func warning(
        _ code: DiagnosticCode, _ message: String, at range: SourceRange? = nil, hint: String? = nil,
        notes: [Note] = []
    ) -> Diagnostic {
        Diagnostic(.warning, code, message, at: range, hint: hint, notes: notes)
    }
}

/// An ordered collection of diagnostics; producers append, consumers ask `hasErrors`.
public struct DiagnosticList: Sendable, Hashable, Codable, Error {
    public private(set) var items: [Diagnostic] = []

    public init(_ items: [Diagnostic] = []) { self.items = items }

    public mutating func append(_ d: Diagnostic) { items.append(d) }
    public mutating func append(contentsOf other: DiagnosticList) { items.append(contentsOf: other.items) }
    public mutating func append(contentsOf other: [Diagnostic]) { items.append(contentsOf: other) }

    public var hasErrors: Bool { items.contains { $0.severity == .error } }
    public var errors: [Diagnostic] { items.filter { $0.severity == .error } }
    public var isEmpty: Bool { items.isEmpty }
    public var count: Int { items.count }

    /// Sorted by file, then position, errors before warnings at the same spot; stable otherwise.
    public var sorted: [Diagnostic] {
        items.enumerated().sorted { a, b in
            let ra = a.element.range
            let rb = b.element.range
            switch (ra, rb) {
            case let (x?, y?):
                if x.file != y.file { return x.file < y.file }
                if x.start != y.start { return x.start < y.start }
            case (nil, _?): return false
            case (_?, nil): return true
            case (nil, nil): break
            }
            return a.offset < b.offset
        }.map(\.element)
    }
}
