/// Where in a source file something is: 1-based line and column (in characters), 0-based byte offset.
public struct SourceLocation: Sendable, Hashable, Codable, Comparable {
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(line: Int, column: Int, offset: Int = 0) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

/// A span of a named source file. `end` is exclusive; when absent the range is a single point.
public struct SourceRange: Sendable, Hashable, Codable {
    public var file: String
    public var start: SourceLocation
    public var end: SourceLocation?

    public init(file: String, start: SourceLocation, end: SourceLocation? = nil) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// `file:line:col`, the prefix every compiler-style tool prints.
    public var description: String { "\(file):\(start.line):\(start.column)" }
}
