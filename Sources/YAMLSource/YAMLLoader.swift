internal import CYAML
import Diagnostics
import Foundation

/// What loading a YAML file produced: the document (nil on a fatal error), every diagnostic, and
/// the file's text (for source excerpts; invalid UTF-8 shows as U+FFFD).
public struct YAMLLoadResult: Sendable {
    public var document: YAMLDocument?
    public var diagnostics: [Diagnostic]
    public var text: String
}

/// Loads YAML through libyaml's event API into a `YAMLNode` tree. This is the only file that
/// imports CYAML: libyaml types never leave it, and its 0-based marks become 1-based locations.
public enum YAMLLoader {
    /// Reads and loads the file at `path`; diagnostics name it `file` (default: the path).
    public static func load(path: String, file: String? = nil, limits: YAMLLimits = .standard) -> YAMLLoadResult {
        let name = file ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            return YAMLLoadResult(document: nil, diagnostics: [.yamlUnreadable(name, reason: reason)], text: "")
        }
        return load(bytes: [UInt8](data), file: name, limits: limits)
    }

    /// Loads YAML text held in memory.
    public static func load(bytes: [UInt8], file: String, limits: YAMLLimits = .standard) -> YAMLLoadResult {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let at = firstInvalidUTF8(bytes)
            let (line, column) = ByteOffsetMap.location(ofByte: at, in: bytes)
            let range = SourceRange(file: file, start: SourceLocation(line: line, column: column, offset: at))
            // The text is decoded with replacement characters so the excerpt can show the spot.
            return YAMLLoadResult(document: nil, diagnostics: [.yamlNotUTF8(at: range)], text: String(decoding: bytes, as: UTF8.self))
        }
        let (root, diagnostics) = parse(bytes, file: file, limits: limits)
        let fatal = diagnostics.contains { $0.code != "yaml.duplicate-key" && $0.code != "yaml.complex-key" }
        return YAMLLoadResult(document: fatal ? nil : YAMLDocument(file: file, root: root), diagnostics: diagnostics, text: text)
    }

    /// Byte offset of the first byte that does not start a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let s): offset += s.count
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }

    private static func parse(_ bytes: [UInt8], file: String, limits: YAMLLimits) -> (YAMLNode?, [Diagnostic]) {
        // About one node per 12 bytes in a user-heavy plan: reserving avoids regrowing big arrays.
        var builder = YAMLTreeBuilder(file: file, limits: limits, expectedNodes: bytes.count / 12)
        let offsets = ByteOffsetMap(bytes: bytes)
        var extra: [Diagnostic] = []
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return (nil, [.yamlUnreadable(file, reason: "libyaml could not start (out of memory)")])
        }
        defer { yaml_parser_delete(&parser) }

        func location(_ m: yaml_mark_t) -> SourceLocation {
            SourceLocation(line: m.line + 1, column: m.column + 1, offset: offsets.offset(index: m.index, line: m.line, column: m.column))
        }
        func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            p.map { String(cString: $0) }
        }

        bytes.withUnsafeBufferPointer { buffer in
            // An empty array may have no base address; libyaml needs a valid pointer.
            var empty: UInt8 = 0
            if let base = buffer.baseAddress {
                yaml_parser_set_input_string(&parser, base, buffer.count)
            } else {
                yaml_parser_set_input_string(&parser, &empty, 0)
            }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var documents = 0
            var event = yaml_event_t()
            while !builder.stopped {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "unreadable YAML"
                    let context = parser.context.map { String(cString: $0) }
                    let at = location(parser.problem_mark)
                    let tab = at.offset < bytes.count && bytes[at.offset] == UInt8(ascii: "\t")
                    extra.append(.yamlSyntax(problem, context: context, at: SourceRange(file: file, start: at), tab: tab))
                    return
                }
                defer { yaml_event_delete(&event) }
                let start = location(event.start_mark)
                let end = location(event.end_mark)
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        extra.append(.yamlMultipleDocuments(at: SourceRange(file: file, start: start, end: end)))
                        return
                    }
                case YAML_SCALAR_EVENT:
                    let s = event.data.scalar
                    let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                    let style: YAMLNode.Style =
                        switch s.style {
                        case YAML_PLAIN_SCALAR_STYLE: .plain
                        case YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE: .block
                        default: .quoted
                        }
                    builder.scalar(value, style: style, tag: string(s.tag), anchor: string(s.anchor), start: start, end: end)
                case YAML_ALIAS_EVENT:
                    builder.alias(string(event.data.alias.anchor) ?? "", start: start, end: end)
                case YAML_SEQUENCE_START_EVENT:
                    let s = event.data.sequence_start
                    builder.startCollection(.sequence, tag: string(s.tag), anchor: string(s.anchor), start: start, end: end)
                case YAML_MAPPING_START_EVENT:
                    let s = event.data.mapping_start
                    builder.startCollection(.mapping, tag: string(s.tag), anchor: string(s.anchor), start: start, end: end)
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    builder.endCollection(end: end)
                default:
                    break
                }
            }
        }
        return (builder.root(), builder.diagnostics + extra)
    }
}
