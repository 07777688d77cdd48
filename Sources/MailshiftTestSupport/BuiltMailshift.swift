import Foundation

/// The built `mailshift` binary, for tests that run it as a real child process.
public enum BuiltMailshift {
    /// `.build/<config>/mailshift`, next to the test bundle; nil when it was not built.
    public static var path: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("mailshift").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}
