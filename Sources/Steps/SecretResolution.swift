import Foundation

/// Why a secret could not be read.
public struct SecretUnavailable: Error, Sendable, Hashable, CustomStringConvertible {
    public var reference: SecretReference
    public var reason: String
    public var description: String { "\(reference): \(reason)" }
}

extension SecretReference {
    /// The secret's value, read at use: the environment variable, or the file with one trailing
    /// line break dropped. The one resolver: the directory bind and the run's redaction of
    /// secrets from outputs and logs see the same value.
    public func resolve() throws(SecretUnavailable) -> String {
        switch self {
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw SecretUnavailable(reference: self, reason: "the environment variable is not set")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SecretUnavailable(reference: self, reason: "the file cannot be read")
            }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
    }
}
