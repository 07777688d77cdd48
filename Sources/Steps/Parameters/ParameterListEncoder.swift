/// Renders a flat parameter struct as ordered `StepParameters` entries: strings, string lists,
/// integers and flags; nested structs are flattened into their parent (a shared store target
/// renders as the `store_*` keys of the kind that holds it); string-valued enums and step
/// references render as text. Anything else is a programming error in a `Kinds/` declaration.
enum ParameterListEncoder {
    static func render(_ value: some Encodable) -> StepParameters {
        let sink = Sink()
        do {
            try value.encode(to: FieldEncoder(sink: sink, key: nil))
        } catch {
            preconditionFailure("step parameters must be flat: \(error)")
        }
        return StepParameters(sink.entries)
    }

    final class Sink {
        var entries: [(String, StepParameters.Value)] = []
    }

    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    /// Encodes one field (`key`) or, with no key, a struct whose fields go straight to the sink.
    struct FieldEncoder: Encoder {
        let sink: Sink
        let key: String?
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        func container<K: CodingKey>(keyedBy type: K.Type) -> KeyedEncodingContainer<K> {
            KeyedEncodingContainer(Keyed<K>(sink: sink))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer { List(sink: sink, key: key ?? "") }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(sink: sink, key: key ?? "") }
    }

    struct Keyed<K: CodingKey>: KeyedEncodingContainerProtocol {
        let sink: Sink
        var codingPath: [any CodingKey] = []

        mutating func encodeNil(forKey key: K) throws {}
        mutating func encode(_ value: String, forKey key: K) throws { sink.entries.append((key.stringValue, .text(value))) }
        mutating func encode(_ value: Bool, forKey key: K) throws { sink.entries.append((key.stringValue, .flag(value))) }
        mutating func encode(_ value: Int, forKey key: K) throws { sink.entries.append((key.stringValue, .number(value))) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: K) throws {
            try value.encode(to: FieldEncoder(sink: sink, key: key.stringValue))
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type, forKey key: K) -> KeyedEncodingContainer<N> {
            KeyedEncodingContainer(Keyed<N>(sink: sink))
        }
        mutating func nestedUnkeyedContainer(forKey key: K) -> any UnkeyedEncodingContainer { List(sink: sink, key: key.stringValue) }
        mutating func superEncoder() -> any Encoder { FieldEncoder(sink: sink, key: nil) }
        mutating func superEncoder(forKey key: K) -> any Encoder { FieldEncoder(sink: sink, key: key.stringValue) }
    }

    /// A list of strings; the entry is written on the first element (or empty at once).
    final class List: UnkeyedEncodingContainer {
        let sink: Sink
        let key: String
        let slot: Int
        var codingPath: [any CodingKey] = []
        var count = 0

        init(sink: Sink, key: String) {
            self.sink = sink
            self.key = key
            slot = sink.entries.count
            sink.entries.append((key, .list([])))
        }

        func encode(_ value: String) throws {
            guard case .list(var items) = sink.entries[slot].1 else { return }
            items.append(value)
            sink.entries[slot].1 = .list(items)
            count += 1
        }
        func encodeNil() throws { throw Unsupported(description: "\(key): nil in a list") }
        func encode<T: Encodable>(_ value: T) throws {
            guard let s = value as? String else { throw Unsupported(description: "\(key): lists hold strings") }
            try encode(s)
        }
        func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type) -> KeyedEncodingContainer<N> {
            KeyedEncodingContainer(Keyed<N>(sink: sink))
        }
        func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
        func superEncoder() -> any Encoder { FieldEncoder(sink: sink, key: key) }
    }

    struct Single: SingleValueEncodingContainer {
        let sink: Sink
        let key: String
        var codingPath: [any CodingKey] = []

        mutating func encodeNil() throws {}
        mutating func encode(_ value: String) throws { sink.entries.append((key, .text(value))) }
        mutating func encode(_ value: Bool) throws { sink.entries.append((key, .flag(value))) }
        mutating func encode(_ value: Int) throws { sink.entries.append((key, .number(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            throw Unsupported(description: "\(key): \(T.self) is not a parameter value")
        }
    }
}
