import Digest
import Foundation
import Glibc
import SafeFiles

/// Imports a hold spool directory (one message file per held message) into a Maildir.
///
/// A file may start with a From_ line (its date is the message date, and it is not stored);
/// otherwise the file's mtime is the date. Messages are named `h<hash of the file name>`, so a
/// re-run adds nothing twice; messages already in the Maildir (same canonical digest) are
/// skipped. The held files are left in place: retiring them is the plan's business.
public enum HoldRelease {
    public struct Report: Sendable, Hashable, Codable {
        public var messages: Int
        public var imported: Int
        public var present: Int
        public var duplicates: Int
        public var bytes: Int
    }

    public static func run(spool: String, maildir: String, timeZone: TimeZone, owner: (uid: uid_t, gid: gid_t)?) throws -> Report {
        guard let dir = try DirectoryWalk.open(spool) else { throw MboxError(.unreadable, file: spool, offset: 0, detail: "no such directory") }
        let names = try dir.names().filter { !$0.hasPrefix(".") }.sorted()
        var report = Report(messages: 0, imported: 0, present: 0, duplicates: 0, bytes: 0)
        let writer = try MaildirWriter(root: maildir, owner: owner)
        let known = writer.existing.messageKeys()
        for name in names {
            // Subdirectories and the like are not held messages; a link is refused, not followed.
            let kind = try dir.kind(of: name)
            guard kind == S_IFREG || kind == S_IFLNK else { continue }
            report.messages += 1
            let tag = "h" + String(SHA256.hash(name).hexString.prefix(16))
            if writer.contains(tag: tag) {
                report.present += 1
                continue
            }
            guard let (fd, st) = try dir.openRegularFile(name, singleLink: true) else { continue }
            let h = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            defer { try? h.close() }
            var date = Int(st.st_mtim.tv_sec)
            var digest = MessageKey()
            var size = 0
            try writer.begin()
            var first = true
            while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty {
                var data = chunk
                if first {
                    first = false
                    if data.starts(with: Array("From ".utf8)), let nl = data.firstIndex(of: 0x0A) {
                        var line = Array(data[data.startIndex..<nl])
                        if line.last == 0x0D { line.removeLast() }
                        if let from = line.withUnsafeBytes({ FromLine.parse($0, timeZone: timeZone) }) {
                            date = from.date
                            data = data.suffix(from: nl + 1)
                        }
                    }
                }
                try data.withUnsafeBytes { p in
                    digest.update(p)
                    try writer.write(p)
                }
                size += data.count
            }
            let d = String(digest.finalize().prefix(24))
            if known.contains(d) {
                writer.discard()
                report.duplicates += 1
                continue
            }
            try writer.finish(MaildirName(date: date, tag: tag, digest: d, size: size, flags: MaildirFlags()))
            report.imported += 1
            report.bytes += size
        }
        try writer.commit()
        return report
    }
}
