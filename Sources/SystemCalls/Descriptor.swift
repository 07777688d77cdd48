import CSystem
import Glibc

/// The descriptor-level calls every module shares: one write-all loop, one read loop, pipes and
/// spawn actions that never leak a descriptor into a child, `syncfs`.
public enum Descriptor {
    /// Writes every byte, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(Errno) {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                let e = Errno.current
                if e.code == EINTR { continue }
                throw e
            }
            if n == 0 { throw Errno(EIO) }
            done += n
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
        let outcome: Result<Void, Errno> = bytes.withUnsafeBytes { raw in Result { () throws(Errno) in try writeAll(fd, raw) } }
        try outcome.get()
    }

    /// One `read`, retrying EINTR: the byte count, 0 at the end.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) throws(Errno) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            let e = Errno.current
            if e.code != EINTR { throw e }
        }
    }

    /// `pipe2(O_CLOEXEC)`: both ends close-on-exec from birth, so a child spawned by another
    /// thread cannot inherit them.
    public static func pipeCloexec(_ fds: UnsafeMutablePointer<Int32>) throws(Errno) {
        guard mailshift_pipe2_cloexec(fds) == 0 else { throw Errno.current }
    }

    /// The child closes every descriptor from `low` up (glibc 2.34+; elsewhere close-on-exec is
    /// what keeps descriptors out of the child).
    public static func spawnClosesFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ low: Int32) {
        _ = mailshift_spawn_addclosefrom(UnsafeMutableRawPointer(actions), low)
    }

    /// `fdatasync(2)`: the file's data and the metadata needed to read it back, on disk.
    public static func syncData(_ fd: Int32) throws(Errno) {
        guard fdatasync(fd) == 0 else { throw Errno.current }
    }

    /// `syncfs(2)`: every dirty page of the file system holding `fd`, in one call.
    public static func syncFileSystem(_ fd: Int32) throws(Errno) {
        guard mailshift_syncfs(fd) == 0 else { throw Errno.current }
    }

    /// Bytes a pipe or socket holds that a read takes without blocking (0 when unknown).
    public static func bytesReadable(_ fd: Int32) -> Int {
        max(0, Int(mailshift_bytes_readable(fd)))
    }

    /// `renameat2(RENAME_NOREPLACE)`: renames `from` (in directory `fromDir`) to `to` (in
    /// `toDir`), never replacing a file already called `to` (that fails with `EEXIST`).
    public static func renameNoReplace(_ fromDir: Int32, _ from: String, _ toDir: Int32, _ to: String) throws(Errno) {
        guard mailshift_renameat_noreplace(fromDir, from, toDir, to) == 0 else { throw Errno.current }
    }
}
