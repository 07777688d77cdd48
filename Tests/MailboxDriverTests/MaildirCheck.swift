import Digest
import Foundation
import Lab
import MailboxDriver
import Testing

/// Compares a Maildir with a corpus manifest, message by message.
enum MaildirCheck {
    struct Found: Hashable {
        var sha256: String
        var date: Int
        var flags: String
        var inCur: Bool
    }

    static func contents(_ root: String) throws -> [Found] {
        var out: [Found] = []
        for sub in ["new", "cur"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(sub)") {
                let path = "\(root)/\(sub)/\(name)"
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                var st = stat()
                _ = stat(path, &st)
                #expect(st.st_mode & 0o777 == 0o600, "mode of \(name)")
                let parsed = MaildirName(fileName: name)
                #expect(parsed?.size == data.count, ",S= of \(name)")
                let flags = name.contains(":2,") ? String(name[name.range(of: ":2,")!.upperBound...]) : ""
                out.append(Found(sha256: SHA256.hash(data).hexString, date: Int(st.st_mtim.tv_sec), flags: flags, inCur: sub == "cur"))
            }
        }
        return out
    }

    /// Every manifest message exactly once, with its date and flags; nothing else.
    static func expectExact(_ root: String, _ manifest: MboxCorpus.Manifest, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let found = try contents(root)
        let want = manifest.messages.map { Found(sha256: $0.sha256, date: $0.date, flags: $0.flags, inCur: $0.inCur) }
        #expect(found.count == want.count, "message count", sourceLocation: sourceLocation)
        let f = Dictionary(found.map { ($0, 1) }, uniquingKeysWith: +)
        let w = Dictionary(want.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(f == w, "missing \(w.filter { f[$0.key] != $0.value }.count), extra \(f.filter { w[$0.key] != $0.value }.count)", sourceLocation: sourceLocation)
    }
}
