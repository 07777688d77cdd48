/// Encodes a flat `Codable` outputs struct (strings, integers, flags, optionals) as the journal's
/// `StepOutputs` string map, and decodes it back: one declaration per kind of what its outputs
/// hold, while the journal keeps its `key=value` form.
extension StepOutputs {
    public init(encoding value: some Encodable) {
        let box = FlatBox()
        // Only flat structs of strings, integers and flags are declared as outputs; anything else
        // is a programming error in a `Kinds/` declaration.
        do { try value.encode(to: FlatEncoder(box: box)) } catch { preconditionFailure("step outputs must be flat: \(error)") }
        self.init(box.values)
    }

    /// The typed outputs, or nil when these outputs are not of that shape (another kind's, or an
    /// earlier attempt's partial checkpoint).
    public func decode<T: Decodable>(_ type: T.Type) -> T? {
        try? T(from: FlatDecoder(values: values))
    }
}

private final class FlatBox {
    var values: [String: String] = [:]
}

private struct FlatEncoder: Encoder {
    let box: FlatBox
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    func container<K: CodingKey>(keyedBy type: K.Type) -> KeyedEncodingContainer<K> { KeyedEncodingContainer(Keyed<K>(box: box)) }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { preconditionFailure("step outputs hold no lists") }
    func singleValueContainer() -> any SingleValueEncodingContainer { preconditionFailure("step outputs are keyed") }

    struct Keyed<K: CodingKey>: KeyedEncodingContainerProtocol {
        let box: FlatBox
        var codingPath: [any CodingKey] = []
        mutating func encodeNil(forKey key: K) throws {}
        mutating func encode(_ value: String, forKey key: K) throws { box.values[key.stringValue] = value }
        mutating func encode(_ value: Int, forKey key: K) throws { box.values[key.stringValue] = String(value) }
        mutating func encode(_ value: Bool, forKey key: K) throws { box.values[key.stringValue] = value ? "true" : "false" }
        mutating func encode<T: Encodable>(_ value: T, forKey key: K) throws {
            if let raw = value as? any RawRepresentable<String> { box.values[key.stringValue] = raw.rawValue; return }
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath + [key], debugDescription: "not a flat value"))
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy keyType: N.Type, forKey key: K) -> KeyedEncodingContainer<N> {
            KeyedEncodingContainer(Keyed<N>(box: box))
        }
        mutating func nestedUnkeyedContainer(forKey key: K) -> any UnkeyedEncodingContainer { preconditionFailure("no lists") }
        mutating func superEncoder() -> any Encoder { FlatEncoder(box: box) }
        mutating func superEncoder(forKey key: K) -> any Encoder { FlatEncoder(box: box) }
    }
}

private struct FlatDecoder: Decoder {
    let values: [String: String]
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    func container<K: CodingKey>(keyedBy type: K.Type) throws -> KeyedDecodingContainer<K> {
        KeyedDecodingContainer(Keyed<K>(values: values))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw Self.flat }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw Self.flat }
    static let flat = DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "step outputs are flat"))

    struct Keyed<K: CodingKey>: KeyedDecodingContainerProtocol {
        let values: [String: String]
        var codingPath: [any CodingKey] = []
        var allKeys: [K] { values.keys.compactMap { K(stringValue: $0) } }
        func contains(_ key: K) -> Bool { values[key.stringValue] != nil }
        func decodeNil(forKey key: K) throws -> Bool { values[key.stringValue] == nil }
        func text(_ key: K) throws -> String {
            guard let v = values[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
            }
            return v
        }
        func decode(_ type: String.Type, forKey key: K) throws -> String { try text(key) }
        func decode(_ type: Int.Type, forKey key: K) throws -> Int {
            guard let n = Int(try text(key)) else { throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an integer") }
            return n
        }
        func decode(_ type: Bool.Type, forKey key: K) throws -> Bool {
            switch try text(key) {
            case "true": return true
            case "false": return false
            default: throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a flag")
            }
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: K) throws -> T {
            if let raw = T.self as? any RawRepresentable<String>.Type, let value = raw.init(rawValue: try text(key)) as? T { return value }
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a flat value")
        }
        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: K) throws -> KeyedDecodingContainer<N> {
            KeyedDecodingContainer(Keyed<N>(values: values))
        }
        func nestedUnkeyedContainer(forKey key: K) throws -> any UnkeyedDecodingContainer { throw FlatDecoder.flat }
        func superDecoder() throws -> any Decoder { FlatDecoder(values: values) }
        func superDecoder(forKey key: K) throws -> any Decoder { FlatDecoder(values: values) }
    }
}
