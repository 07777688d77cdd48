import Foundation

/// The last `limit` bytes of a stream: a command's output is kept bounded, and the tail is what
/// explains a failure.
struct OutputTail: Sendable {
    let limit: Int
    private var buffer = Data()
    /// Bytes seen in total (kept or dropped).
    private(set) var total = 0

    init(limit: Int) { self.limit = max(0, limit) }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        total += bytes.count
        guard limit > 0 else { return }
        buffer.append(contentsOf: bytes)
        // Trim lazily (at twice the limit) so appends stay amortised O(1).
        if buffer.count > 2 * limit { buffer = Data(buffer.suffix(limit)) }
    }

    var data: Data { buffer.count > limit ? Data(buffer.suffix(limit)) : buffer }
    var truncated: Bool { total > limit }
}

extension Data {
    /// The last `maxBytes` bytes as text (invalid UTF-8 replaced), for failure summaries and outputs.
    public func tailText(_ maxBytes: Int) -> String {
        let slice = count > maxBytes ? suffix(maxBytes) : self[...]
        return String(decoding: slice, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
