import Digest
import Foundation
import Glibc

/// One message the stand-in MTA delivered while the lab ran ("arrived"), as recorded in
/// `arrived.jsonl`: what its stored copy must hold, and where it was first put.
public struct LabArrival: Sendable, Codable, Hashable {
    public var user: String
    public var sha256: String
    public var date: Int
    /// spool, saved, held or store.
    public var route: String
}

/// Delivers messages the way the legacy MTA (or the new store's) would, on lab files only.
public enum LabDelivery {
    /// A new message for `user` numbered `serial`: its bytes as stored (headers + body) and its date.
    public static func message(user: String, serial: Int, date: Int) -> [UInt8] {
        let stamp = httpDate(date)
        var text = "Return-Path: <lab-mta@example.com>\n"
        text += "From: lab-mta@example.com\nTo: \(user)@example.edu\n"
        text += "Subject: arrived \(serial) for \(user)\nDate: \(stamp)\n"
        text += "Message-ID: <arrived-\(serial)-\(user)@lab.example.com>\n\n"
        text += "This message arrived while \(user) was being migrated (serial \(serial)).\n"
        text += "From the lab MTA: this line starts with From and must survive escaping.\n"
        return Array(text.utf8)
    }

    /// Appends `stored` to the mbox at `path` under the dotlock + fcntl convention sendmail's
    /// local delivery uses. `escapeFrom` writes body `From ` lines as `>From ` (mboxo);
    /// `contentLength` adds the header Solaris/mboxcl readers trust.
    public static func appendToMbox(
        _ stored: [UInt8], path: String, date: Int, escapeFrom: Bool = true, contentLength: Bool = false
    ) throws {
        var (headers, body) = split(stored)
        if escapeFrom { body = escape(body) }
        if contentLength { headers += Array("Content-Length: \(body.count)\n".utf8) }
        var record = Array("From lab-mta@example.com \(asctime(date))\n".utf8)
        record += headers + [10] + body
        if record.last != 10 { record.append(10) }
        record.append(10)  // the blank line before the next From_
        try withSpoolLock(path) { fd in
            _ = lseek(fd, 0, SEEK_END)
            try writeAll(fd, record, path: path)
            fsync(fd)
        }
    }

    /// What a reader that keeps every byte (mboxo, or Content-Length with mboxo escaping) stores
    /// for `stored` once it was appended escaped: the escaped body.
    public static func escapedForm(_ stored: [UInt8]) -> [UInt8] {
        let (headers, body) = split(stored)
        return headers + [10] + escape(body)
    }

    /// Writes one message file into `maildir`/new with its mtime set to `date`.
    public static func deliverToMaildir(_ stored: [UInt8], maildir: String, date: Int, tag: String) throws {
        for sub in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + sub, withIntermediateDirectories: true)
        }
        let name = "\(date).lab\(getpid())_\(tag).lab"
        let tmp = maildir + "/tmp/" + name
        try Data(stored).write(to: URL(fileURLWithPath: tmp))
        try setMtime(tmp, date)
        guard rename(tmp, maildir + "/new/" + name) == 0 else {
            throw LabError("cannot deliver into \(maildir): errno \(errno)")
        }
    }

    /// Puts one message aside in a hold queue (a directory, one file per message).
    public static func queue(_ stored: [UInt8], queue: String, date: Int, tag: String) throws {
        try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: true)
        let path = queue + "/\(date).\(tag)"
        try Data(stored).write(to: URL(fileURLWithPath: path + ".tmp"))
        try setMtime(path + ".tmp", date)
        guard rename(path + ".tmp", path) == 0 else { throw LabError("cannot queue into \(queue): errno \(errno)") }
    }

    /// Delivers every queued message into `maildir` and empties the queue. Returns how many.
    @discardableResult
    public static func release(queue: String, maildir: String) throws -> Int {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: queue)) ?? []).filter { !$0.hasSuffix(".tmp") }.sorted()
        for name in names {
            let path = queue + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let date = Int(name.split(separator: ".").first ?? "") ?? Int(Date().timeIntervalSince1970)
            try deliverToMaildir(Array(data), maildir: maildir, date: date, tag: "held_" + name.replacingOccurrences(of: ".", with: "_"))
            unlink(path)
        }
        return names.count
    }

    /// Runs `body` holding an exclusive flock on `path` (created if needed): the choke router's
    /// hold/release and the MTA's routing decision for a user never interleave.
    public static func withLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw LabError("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw LabError("cannot lock \(path): errno \(errno)") }
        }
        return try body()
    }

    /// Appends one arrival record (a JSON line) to `path`.
    public static func record(_ arrival: LabArrival, path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(arrival)
        line.append(10)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw LabError("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        try writeAll(fd, Array(line), path: path)
    }

    /// Every arrival recorded so far.
    public static func arrivals(path: String) -> [LabArrival] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(LabArrival.self, from: Data($0.utf8)) }
    }

    public static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(bytes).hexString }

    // MARK: - helpers

    static func split(_ stored: [UInt8]) -> ([UInt8], [UInt8]) {
        var i = 0
        while i + 1 < stored.count {
            if stored[i] == 10 && stored[i + 1] == 10 { return (Array(stored[...i]), Array(stored[(i + 2)...])) }
            i += 1
        }
        return (stored, [])
    }

    static func escape(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var lineStart = true
        for (i, b) in body.enumerated() {
            if lineStart && b == 0x46 && body.count >= i + 5 && Array(body[i..<(i + 5)]) == Array("From ".utf8) {
                out.append(0x3E)
            }
            out.append(b)
            lineStart = b == 10
        }
        return out
    }

    /// The dotlock (`<path>.lock`, created with O_EXCL, stale after 5 minutes) then an fcntl
    /// write lock on the mailbox, as mail.local does.
    static func withSpoolLock(_ path: String, _ body: (Int32) throws -> Void) throws {
        let lock = path + ".lock"
        let deadline = Date().addingTimeInterval(30)
        while true {
            let fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 { close(fd); break }
            if let attributes = try? FileManager.default.attributesOfItem(atPath: lock),
                let modified = attributes[.modificationDate] as? Date, Date().timeIntervalSince(modified) > 300 {
                unlink(lock)
                continue
            }
            guard Date() < deadline else { throw LabError("\(lock) held for 30 s") }
            usleep(20_000)
        }
        defer { unlink(lock) }
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw LabError("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        var fl = flock()
        fl.l_type = Int16(F_WRLCK)
        fl.l_whence = Int16(SEEK_SET)
        guard fcntl(fd, F_SETLKW, &fl) == 0 else { throw LabError("cannot lock \(path): errno \(errno)") }
        try body(fd)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw LabError("cannot write \(path): errno \(errno)") }
            offset += n
        }
    }

    static func setMtime(_ path: String, _ date: Int) throws {
        var times = [timespec(tv_sec: date, tv_nsec: 0), timespec(tv_sec: date, tv_nsec: 0)]
        guard utimensat(AT_FDCWD, path, &times, 0) == 0 else { throw LabError("cannot set mtime of \(path)") }
    }

    static func asctime(_ date: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        var text = f.string(from: Date(timeIntervalSince1970: TimeInterval(date)))
        // asctime pads the day to two characters with a space.
        let parts = text.split(separator: " ")
        if parts.count == 5, parts[2].count == 1 { text = "\(parts[0]) \(parts[1])  \(parts[2]) \(parts[3]) \(parts[4])" }
        return text
    }

    static func httpDate(_ date: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, d MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(date)))
    }
}
