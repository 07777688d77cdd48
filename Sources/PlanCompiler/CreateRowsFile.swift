import Diagnostics
import Foundation
import PlanModel

/// `directory.create.from`: the users file with columns whose values fill the create template's
/// `{column}` placeholders. CSV with a header line naming the columns (one must be `user`), or
/// LDIF (one entry per user, named by its `user` or else its `uid` attribute; `dn:` is ignored:
/// the template makes the DN).
///
/// Read as every plan side file is (`PlanSideFile`: one descriptor, no link followed, never more
/// than `byteLimit`); a faulty line is named by file and line only (its text may be a secret).
struct CreateRowsFile {
    /// A row: the user's values by column (lowercased), and the line it starts on.
    struct Row: Equatable {
        var values: [String: [String]]
        var line: Int
    }

    /// Columns in file order (lowercased), `user` left out.
    var columns: [String] = []
    var rows: [String: Row] = [:]

    static let byteLimit = 64 << 20
    static let maxColumns = 256

    enum Problem: Error, Equatable, CustomStringConvertible {
        /// The file could not be read as a plan's side file.
        case file(PlanSideFile.Problem)
        case noUserColumn
        case line(Int, String)

        var description: String {
            switch self {
            case .file(let problem): problem.description
            case .noUserColumn: "it has no 'user' column (CSV header) or 'uid' attribute (LDIF) naming each row's user"
            case .line(let n, let why): "line \(n): \(why)"
            }
        }
    }

    /// Reads and parses `path`; LDIF when the name ends in `.ldif`, CSV otherwise.
    static func load(_ path: String) -> Result<CreateRowsFile, Problem> {
        let text: String
        switch PlanSideFile.readText(path, limit: byteLimit) {
        case .success(let t): text = t
        case .failure(let problem): return .failure(.file(problem))
        }
        do {
            return .success(try path.lowercased().hasSuffix(".ldif") ? parseLDIF(text) : parseCSV(text))
        } catch {
            return .failure(error as? Problem ?? .file(.unreadable("\(error)")))
        }
    }

    // MARK: CSV

    /// RFC 4180: fields separated by commas, a field in double quotes may hold commas, newlines
    /// and `""` for a quote; CR before LF is dropped; blank lines and lines starting `#` skipped.
    static func parseCSV(_ text: String) throws -> CreateRowsFile {
        var out = CreateRowsFile()
        var header: [String]?
        var userIndex = 0
        var record: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var start = 1
        var fieldStarted = false
        // Walked in place (no array of the file's characters: it may be 64 MiB).
        var chars = text.unicodeScalars[...]
        let missingNewline = text.unicodeScalars.last != "\n"
        var finished = false
        /// The last line's newline, when the file has none.
        func finish() -> Unicode.Scalar {
            finished = true
            return "\n"
        }
        func endRecord() throws {
            defer { record = [] }
            if record.count == 1 && record[0].trimmingCharacters(in: .whitespaces).isEmpty { return }
            if record.first?.hasPrefix("#") == true { return }
            guard let names = header else {
                let names = record.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard let u = names.firstIndex(of: "user") else { throw Problem.noUserColumn }
                guard names.count <= maxColumns else { throw Problem.line(start, "more than \(maxColumns) columns") }
                for (k, n) in names.enumerated() {
                    guard isColumnName(n) else { throw Problem.line(start, "column \(k + 1) of the header is not a column name (letters, digits, '-', '_')") }
                    guard names.firstIndex(of: n) == k else { throw Problem.line(start, "column '\(n)' is named twice") }
                }
                header = names
                userIndex = u
                out.columns = names.enumerated().filter { $0.offset != u }.map(\.element)
                return
            }
            guard record.count == names.count else {
                throw Problem.line(start, "\(record.count) fields, the header has \(names.count)")
            }
            let user = record[userIndex].trimmingCharacters(in: .whitespaces)
            try out.add(user: user, values: Dictionary(uniqueKeysWithValues: zip(names, record.map { [$0] }).filter { $0.0 != "user" }), line: start)
        }
        while let c = chars.popFirst() ?? (missingNewline && !finished ? finish() : nil) {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where !fieldStarted: quoted = true; fieldStarted = true
            case ",": record.append(field); field = ""; fieldStarted = false
            case "\r" where chars.first == "\n": break
            case "\n":
                record.append(field)
                field = ""
                fieldStarted = false
                try endRecord()
                line += 1
                start = line
            default:
                if c == "\"" { throw Problem.line(line, "a quote inside an unquoted field") }
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
        }
        if quoted { throw Problem.line(start, "a quoted field is never closed") }
        guard header != nil else { throw Problem.noUserColumn }
        return out
    }

    // MARK: LDIF

    /// Entries separated by blank lines; `name: value`, `name:: base64`; a line starting with one
    /// space continues the one before; `#` comments; `dn`, `version` and `changetype: add` ignored.
    static func parseLDIF(_ text: String) throws -> CreateRowsFile {
        var out = CreateRowsFile()
        var logical: [(text: String, line: Int)] = []
        for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var l = String(raw)
            if l.hasSuffix("\r") { l.removeLast() }
            if l.hasPrefix(" "), let last = logical.last, !last.text.isEmpty {
                logical[logical.count - 1].text += l.dropFirst()
            } else if !l.hasPrefix("#") {
                logical.append((l, k + 1))
            }
        }
        logical.append(("", logical.count + 1))
        var entry: [String: [String]] = [:]
        var entryLine = 0
        var seen = Set<String>()
        for (l, n) in logical {
            if l.isEmpty {
                defer { entryLine = 0 }
                if !entry.isEmpty {
                    guard let user = (entry["user"] ?? entry["uid"])?.first else { throw Problem.line(entryLine, "the entry has no 'user' or 'uid' attribute") }
                    entry["user"] = nil
                    for name in entry.keys.sorted() where !seen.contains(name) {
                        // As a CSV header is bounded: an LDIF of one-off names is no users file.
                        guard seen.count < maxColumns else { throw Problem.line(entryLine, "more than \(maxColumns) distinct attributes in the file") }
                        seen.insert(name)
                        out.columns.append(name)
                    }
                    try out.add(user: user, values: entry, line: entryLine)
                }
                entry = [:]
                continue
            }
            guard let colon = l.firstIndex(of: ":") else { throw Problem.line(n, "not 'attribute: value'") }
            let name = l[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard isColumnName(name) else { throw Problem.line(n, "not an attribute name before ':'") }
            var value = String(l[l.index(after: colon)...])
            if value.hasPrefix(":") {
                guard let data = Data(base64Encoded: value.dropFirst().trimmingCharacters(in: .whitespaces)),
                    let decoded = String(data: data, encoding: .utf8)
                else { throw Problem.line(n, "the base64 value is not valid UTF-8 text") }
                value = decoded
            } else if value.hasPrefix("<") {
                throw Problem.line(n, "a value read from a URL ('<') is not supported")
            } else {
                value = value.trimmingCharacters(in: .whitespaces)
            }
            if entryLine == 0 { entryLine = n }
            if name == "dn" || name == "version" { continue }
            if name == "changetype" {
                guard value == "add" else { throw Problem.line(n, "only entries to add are read (changetype: add)") }
                continue
            }
            entry[name, default: []].append(value)
            guard entry.count <= maxColumns else { throw Problem.line(n, "more than \(maxColumns) attributes") }
        }
        guard !out.rows.isEmpty || out.columns.isEmpty else { throw Problem.noUserColumn }
        return out
    }

    private mutating func add(user: String, values: [String: [String]], line: Int) throws {
        guard PortableName.isPortable(user) else { throw Problem.line(line, "the user is not a portable user name") }
        if let first = rows[user] { throw Problem.line(line, "user '\(user)' has a row already (line \(first.line))") }
        for (name, vs) in values {
            for v in vs where v.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
                throw Problem.line(line, "the '\(name)' value holds control characters")
            }
        }
        rows[user] = Row(values: values, line: line)
    }

    static func isColumnName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
