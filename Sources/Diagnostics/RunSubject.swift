/// Where a runtime problem happened, when it has no place in a plan file: the step, and the
/// host, user and file (with a byte offset) it concerns, as far as they are known.
public struct RunSubject: Sendable, Hashable, Codable, CustomStringConvertible {
    public var stepID: String?
    public var host: String?
    public var user: String?
    public var file: String?
    public var byte: Int?

    public init(stepID: String? = nil, host: String? = nil, user: String? = nil, file: String? = nil, byte: Int? = nil) {
        self.stepID = stepID
        self.host = host
        self.user = user
        self.file = file
        self.byte = byte
    }

    /// The fields of `other` fill the ones this one lacks.
    public func filling(from other: RunSubject?) -> RunSubject {
        guard let other else { return self }
        return RunSubject(
            stepID: stepID ?? other.stepID, host: host ?? other.host, user: user ?? other.user, file: file ?? other.file,
            byte: byte ?? other.byte)
    }

    /// `message` without a leading repeat of this subject (`<step>: `, `step <step>: `,
    /// `<file>: byte <n>: `), which the renderer already prints in front of it.
    public func trimmed(_ message: String) -> String {
        var out = message
        var prefixes: [String] = []
        if let stepID { prefixes += [stepID + ": ", "step " + stepID + ": "] }
        if let file { prefixes += [file + ": byte \(byte ?? 0): ", file + ": "] }
        var changed = true
        while changed {
            changed = false
            for p in prefixes where out.hasPrefix(p) && out.count > p.count {
                out = String(out.dropFirst(p.count))
                changed = true
            }
        }
        return out
    }

    /// `staff/import/alice (host legacy) /var/mail/alice:1234`
    public var description: String {
        var parts: [String] = []
        if let stepID { parts.append(stepID) }
        let context = [host.map { "host \($0)" }, user.flatMap { u in stepID?.hasSuffix("/" + u) == true ? nil : "user \(u)" }]
            .compactMap { $0 }
        if !context.isEmpty { parts.append("(" + context.joined(separator: ", ") + ")") }
        if let file { parts.append(byte.map { "\(file):\($0)" } ?? file) }
        return parts.joined(separator: " ")
    }
}
