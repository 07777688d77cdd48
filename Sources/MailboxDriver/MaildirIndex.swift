import Foundation
import Glibc

/// Read-only view of the messages mailshift wrote into a Maildir (names parsed; nothing created).
public enum MaildirIndex {
    /// Our files in `new/` and `cur/`, by tag. Empty when the Maildir does not exist yet.
    public static func scan(_ root: String) -> [String: MaildirName] {
        var out: [String: MaildirName] = [:]
        for sub in ["new", "cur"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(sub)")) ?? [] {
                if let n = MaildirName(fileName: name) { out[n.tag] = n }
            }
        }
        return out
    }

    /// Every file in `new/` and `cur/` (ours or not), as paths.
    public static func files(_ root: String) -> [String] {
        var out: [String] = []
        for sub in ["new", "cur"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(sub)")) ?? [] where !name.hasPrefix(".") {
                out.append("\(root)/\(sub)/\(name)")
            }
        }
        return out
    }

    /// How many entries `directory` has besides `.` and `..` (names not decoded): lets a caller
    /// size an array exactly before a second pass fills it.
    static func entryCount(_ directory: String) -> Int {
        guard let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            let dots = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw[0] == 0x2E && (raw[1] == 0 || (raw[1] == 0x2E && raw[2] == 0))
            }
            if !dots { n += 1 }
        }
        return n
    }

    /// Each entry name of `directory` but `.` and `..`, streamed (a listing of a million and a
    /// half names would cost more memory than an import may take); nothing when it cannot be read.
    static func forEachEntry(_ directory: String, _ body: (String) -> Void) {
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { body(name) }
        }
    }
}
