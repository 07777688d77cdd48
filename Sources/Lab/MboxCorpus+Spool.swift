import Foundation

extension MboxCorpus {
    /// A whole spool directory: one mailbox per user (`<dir>/<user>`), variants cycling through
    /// every kind, each with its own seed; the manifests are written next to them as
    /// `<dir>/.manifest.json` (every `largeEvery`-th user gets one 300 KB message) (user → manifest) for `mailshift lab` and the tests to check against.
    public static func writeSpool(
        at dir: String, users: [String], seed: UInt64 = 1, messages: Int = 50,
        largeEvery: Int = 0, timeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) throws -> [String: Manifest] {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var manifests: [String: Manifest] = [:]
        for (i, user) in users.enumerated() {
            let variant = Variant.allCases[i % Variant.allCases.count]
            let options = Options(
                seed: seed &+ UInt64(i), messages: messages, variant: variant,
                largeMessages: largeEvery > 0 && i % largeEvery == 0 ? 1 : 0, largeBytes: 300_000, timeZone: timeZone,
                folderInternalData: variant == .mboxrd, badContentLengthEvery: variant == .solaris ? 9 : 0)
            manifests[user] = try write(to: "\(dir)/\(user)", options: options)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(manifests).write(to: URL(fileURLWithPath: "\(dir)/.manifest.json"))
        return manifests
    }
}
