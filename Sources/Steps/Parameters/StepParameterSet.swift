/// A step kind's parameters: one `Codable` struct per kind, declared once in `Kinds/`.
///
/// The compiler builds it, `StepGraph` expands its `{user}`-style placeholders per step, and the
/// kind's runner receives it typed. Its flat key/value rendering (`StepParameters`), used by
/// `mailshift graph` and the fingerprints, is derived from the `Codable` conformance, so the
/// rendering cannot drift from the type.
public protocol StepParameterSet: Sendable, Hashable, Codable {
    /// A copy with `transform` applied to every string that may hold placeholders.
    func expanded(_ transform: (String) -> String) -> Self
}

extension StepParameterSet {
    /// The ordered key/value rendering, in declaration order, nil fields left out.
    public var rendered: StepParameters { ParameterListEncoder.render(self) }
}

extension Optional where Wrapped == String {
    func expanded(_ transform: (String) -> String) -> String? { map(transform) }
}

extension Optional where Wrapped == [String] {
    func expanded(_ transform: (String) -> String) -> [String]? { map { $0.map(transform) } }
}
