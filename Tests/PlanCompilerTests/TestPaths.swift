import Foundation

/// Paths of the package's files, found from this source file (tests run from any directory).
enum TestPaths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Tests/PlanCompilerTests/Fixtures")
    static let plans = packageRoot.appendingPathComponent("plans")

    static func yamlFiles(in dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }
}
