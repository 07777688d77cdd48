import Glibc

/// Finding a byte in a buffer at `memchr` speed (a users file may be 64 MiB).
public enum ByteSearch {
    /// The index of the first `byte` in `bytes` at or after `start`, nil when there is none.
    public static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count else { return nil }
        return memchr(base + start, Int32(byte), bytes.count - start).map { base.distance(to: UnsafeRawPointer($0)) }
    }
}
