import Foundation

/// One headline figure of a benchmark, printed as a machine-readable line that `scripts/bench`
/// collects into `Benchmarks/RESULTS.md`:
///
///     RESULT {"name":"…","value":…,"unit":"…","baseline":…,"peer":"…","ratio":…,"target":"…","met":true}
///
/// `baseline` is the peer (or the same run without the feature) measured side by side in the
/// same invocation; `ratio` is how the figure compares with it, in the direction the target reads.
struct BenchResult: Encodable {
    var name: String
    var value: Double
    var unit: String
    var baseline: Double?
    var peer: String?
    var ratio: Double?
    var target: String
    var met: Bool?

    func emit() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self.finite()) else { return }
        print("RESULT " + String(decoding: data, as: UTF8.self))
    }

    /// JSON has no NaN or infinity: such a figure is left out.
    private func finite() -> BenchResult {
        var r = self
        if !r.value.isFinite { r.value = -1 }
        if let b = r.baseline, !b.isFinite { r.baseline = nil }
        if let q = r.ratio, !q.isFinite { r.ratio = nil }
        return r
    }
}
