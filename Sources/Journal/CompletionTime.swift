import Foundation

/// The completion time a done record carries: `@` and unix milliseconds. It has no `=`, so readers
/// of outputs (which take `key=value` fields only) skip it, and journals without it stay readable.
public enum CompletionTime {
    /// Now, in unix milliseconds.
    public static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    static func field(_ millis: Int64) -> String { "@" + String(millis) }

    /// The time in a field, or nil for any other field. Bounded: at most 15 digits (year 33658).
    static func parse(_ field: String) -> Int64? {
        guard field.first == "@", field.utf8.count <= 16 else { return nil }
        return Int64(field.dropFirst())
    }
}
