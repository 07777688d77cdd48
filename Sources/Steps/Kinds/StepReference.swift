/// A typed handle to another step of the same graph (a verify's import, a retire's verify, a
/// restore's divert), resolved by the compiler from the edge it draws, never typed by hand.
/// For a per-user target it holds the `{user}` pattern until `StepGraph` materialises the step.
public struct StepReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public private(set) var id: String

    /// The step of template `idPrefix` for the same user (`sameUser`) or the single step.
    public init(idPrefix: String, sameUser: Bool) {
        id = sameUser ? idPrefix + "/{user}" : idPrefix
    }

    public var description: String { id }

    public func expanded(_ transform: (String) -> String) -> StepReference {
        var copy = self
        copy.id = transform(id)
        return copy
    }

    public init(from decoder: any Decoder) throws { id = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(id)
    }
}
