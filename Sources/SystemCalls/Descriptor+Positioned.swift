import Glibc

/// Calls on a descriptor's file as a whole: at an offset, its length, its durability.
extension Descriptor {
    /// One `pread` at `offset`, retrying EINTR: the byte count, 0 at the end.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) throws(Errno) -> Int {
        while true {
            let n = pread(fd, buffer, count, off_t(offset))
            if n >= 0 { return n }
            let e = Errno.current
            if e.code != EINTR { throw e }
        }
    }

    /// One `pwrite` at `offset`: the byte count, which may be short (the caller decides).
    public static func writeOnce(_ fd: Int32, _ bytes: [UInt8], at offset: Int) throws(Errno) -> Int {
        let n = pwrite(fd, bytes, bytes.count, off_t(offset))
        guard n >= 0 else { throw Errno.current }
        return n
    }

    /// `ftruncate(2)`.
    public static func truncate(_ fd: Int32, to length: Int) throws(Errno) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw Errno.current }
    }

    /// `fsync(2)`: the file's data and metadata on disk.
    public static func sync(_ fd: Int32) throws(Errno) {
        guard fsync(fd) == 0 else { throw Errno.current }
    }
}
