import Digest
import Glibc
import SafeFiles
import Steps
import SystemCalls

/// What a pre-copy stored and left as it wrote it: the names of its Maildir files, each as the
/// first 96 bits of the name's SHA-256 (12 bytes a message, sorted; a million messages, 12 MB).
///
/// A file's name carries its tag, digest, size and flags, so "the name is still in the ledger"
/// means mailshift wrote this file and no one has renamed it since (a client that reads or flags
/// a message renames it). Only such files may be removed or renamed by the window's delta.
///
/// Kept beside the Maildir's `new`/`cur` as `mailshift-precopy.ledger` (written atomically, 0600,
/// owned by mailshift); the pre-copy journals its SHA-256, and a ledger that does not match is
/// not trusted (the delta then removes and renames nothing; verify reports what is left).
public struct PrecopyLedger: Sendable, Hashable {
    public static let fileName = "mailshift-precopy.ledger"
    static let magic = Array("mailshift-precopy 1\n".utf8)
    /// Bound on the entry count a journal may claim for a ledger: 64 million messages (768 MB).
    public static let maxEntries = 64 << 20

    private(set) var keys: [TagKey]

    public init(names: some Sequence<String>) {
        keys = Array(Set(names.map(TagKey.init))).sorted()
    }

    init(sortedKeys: [TagKey]) { keys = sortedKeys }

    public var count: Int { keys.count }

    public func contains(_ fileName: String) -> Bool {
        let k = TagKey(fileName)
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if keys[mid] < k { lo = mid + 1 } else { hi = mid }
        }
        return lo < keys.count && keys[lo] == k
    }

    public var bytes: [UInt8] {
        var out = Self.magic
        out.reserveCapacity(out.count + keys.count * 12)
        for k in keys {
            for w in [k.a, k.b, k.c] { out += [UInt8(w >> 24), UInt8(w >> 16 & 0xFF), UInt8(w >> 8 & 0xFF), UInt8(w & 0xFF)] }
        }
        return out
    }

    /// Hex SHA-256 of `bytes`: what the pre-copy journals.
    public var sha256: String { SHA256.hash(bytes).hexString }

    /// Parses ledger bytes; nil for anything malformed (wrong magic, torn entry, unsorted, too many).
    init?(bytes: [UInt8]) {
        guard bytes.count >= Self.magic.count, Array(bytes.prefix(Self.magic.count)) == Self.magic else { return nil }
        let body = bytes.count - Self.magic.count
        guard body % 12 == 0, body / 12 <= Self.maxEntries else { return nil }
        var keys: [TagKey] = []
        keys.reserveCapacity(body / 12)
        var i = Self.magic.count
        func word() -> UInt32 {
            defer { i += 4 }
            return UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
        }
        while i < bytes.count {
            let k = TagKey(a: word(), b: word(), c: word())
            if let last = keys.last, !(last < k) { return nil }
            keys.append(k)
        }
        self.keys = keys
    }

    /// Writes the ledger into the Maildir root, atomically.
    public func write(maildir: String) throws {
        guard let dir = try DirectoryWalk.open(maildir) else {
            throw MboxError(.unreadable, file: maildir, offset: 0, detail: "no Maildir to keep the pre-copy ledger in")
        }
        try dir.replaceFile(Self.fileName, with: bytes, mode: 0o600, owner: nil)
    }

    /// The ledger in the Maildir root if it is the one the pre-copy journaled: exactly
    /// `journaled.ledgerEntries` entries (the read buffer is sized from that count, never from the
    /// file) and SHA-256 `journaled.ledgerSHA256`. nil when absent, of another size, malformed or
    /// another ledger.
    public static func read(maildir: String, journaled: PrecopyOutputs) throws -> PrecopyLedger? {
        guard (0...maxEntries).contains(journaled.ledgerEntries) else { return nil }
        guard let dir = try DirectoryWalk.open(maildir),
            let (fd, st) = try dir.openRegularFile(fileName, singleLink: true)
        else { return nil }
        defer { close(fd) }
        let size = magic.count + journaled.ledgerEntries * 12
        guard Int(st.st_size) == size else { return nil }
        // One byte more than the journaled size: a ledger that grew since fstat is refused too.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var done = 0
        while done <= size {
            let n = try bytes.withUnsafeMutableBytes { raw throws(Errno) in
                try Descriptor.read(fd, into: raw.baseAddress! + done, count: size + 1 - done)
            }
            if n == 0 { break }
            done += n
        }
        guard done == size else { return nil }
        bytes.removeLast()
        guard SHA256.hash(bytes).hexString == journaled.ledgerSHA256 else { return nil }
        return PrecopyLedger(bytes: bytes)
    }
}

extension TagKey {
    init(a: UInt32, b: UInt32, c: UInt32) {
        self.a = a
        self.b = b
        self.c = c
    }
}
