import Glibc

extension Descriptor {
    /// `open(O_RDONLY | O_CLOEXEC)` of a file a plan or the operator names. `nonBlocking`: a FIFO
    /// cannot make the open wait for a writer; `noControllingTerminal`: a tty named by mistake
    /// does not become ours. The descriptor, or the errno of the failed `open`.
    public static func openReadOnly(_ path: String, nonBlocking: Bool = false, noControllingTerminal: Bool = false) throws(Errno) -> Int32 {
        var flags = O_RDONLY | O_CLOEXEC
        if nonBlocking { flags |= O_NONBLOCK }
        if noControllingTerminal { flags |= O_NOCTTY }
        let fd = open(path, flags)
        guard fd >= 0 else { throw Errno.current }
        return fd
    }

    /// `close(2)`; its result is ignored (the descriptor is gone either way on Linux).
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
