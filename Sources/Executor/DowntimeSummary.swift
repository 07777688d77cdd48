/// Median, 95th percentile and maximum of a set of downtime windows (closed ones), and how many
/// are still open.
public struct DowntimeSummary: Sendable, Hashable {
    /// Closed windows measured.
    public var measured: Int
    /// Windows opened and not yet closed.
    public var open: Int
    public var median: Double?
    public var p95: Double?
    public var max: Double?

    public init(_ windows: some Sequence<DowntimeWindows.Window>) {
        var seconds: [Double] = []
        var open = 0
        for w in windows {
            if let s = w.seconds { seconds.append(s) } else if w.isOpen { open += 1 }
        }
        seconds.sort()
        measured = seconds.count
        self.open = open
        median = Self.median(seconds)
        p95 = Self.rank(0.95, seconds)
        max = seconds.last
    }

    /// The middle value, or the mean of the two middle ones.
    static func median(_ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// Nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it.
    static func rank(_ fraction: Double, _ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let r = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(1, Swift.min(sorted.count, r)) - 1]
    }

    /// Seconds with millisecond precision, as text (`12.345`).
    public static func text(_ seconds: Double) -> String {
        let ms = Int64((seconds * 1000).rounded())
        let frac = String(ms % 1000)
        return "\(ms / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
    }
}
