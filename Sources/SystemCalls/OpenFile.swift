import Glibc

/// `open(2)`'s flags by name.
public struct OpenFlags: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `O_RDONLY` is 0: reading is what no access flag means.
    public static let readOnly: OpenFlags = []
    public static let writeOnly = OpenFlags(rawValue: O_WRONLY)
    public static let readWrite = OpenFlags(rawValue: O_RDWR)
    public static let create = OpenFlags(rawValue: O_CREAT)
    public static let exclusive = OpenFlags(rawValue: O_EXCL)
    public static let append = OpenFlags(rawValue: O_APPEND)
    /// A symbolic link as the last component fails with `ELOOP`.
    public static let noFollow = OpenFlags(rawValue: O_NOFOLLOW)
    public static let closeOnExec = OpenFlags(rawValue: O_CLOEXEC)
    public static let directory = OpenFlags(rawValue: O_DIRECTORY)
    /// A FIFO cannot make the open wait for a writer.
    public static let nonBlocking = OpenFlags(rawValue: O_NONBLOCK)
    /// A tty named by mistake does not become the controlling terminal.
    public static let noControllingTerminal = OpenFlags(rawValue: O_NOCTTY)
    /// `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`; Glibc hides the name): an unnamed file in the
    /// directory opened, gone when its last descriptor closes.
    public static let unnamedTemporary = OpenFlags(rawValue: 0o20000000 | O_DIRECTORY)
}

extension Descriptor {
    /// `open(2)` with exactly `flags` (and `mode` for a file it creates): the descriptor, or the
    /// errno of the failed `open`.
    public static func open(_ path: String, _ flags: OpenFlags, mode: UInt32 = 0) throws(Errno) -> Int32 {
        let fd = Glibc.open(path, flags.rawValue, mode)
        guard fd >= 0 else { throw Errno.current }
        return fd
    }

    /// `open(O_RDONLY | O_CLOEXEC)` of a file a plan or the operator names.
    public static func openReadOnly(_ path: String, nonBlocking: Bool = false, noControllingTerminal: Bool = false) throws(Errno) -> Int32 {
        var flags: OpenFlags = [.readOnly, .closeOnExec]
        if nonBlocking { flags.insert(.nonBlocking) }
        if noControllingTerminal { flags.insert(.noControllingTerminal) }
        return try open(path, flags)
    }

    /// `close(2)`; its result is ignored (the descriptor is gone either way on Linux).
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// `fchmod(2)`: exactly `mode` (no umask applies).
    public static func changeMode(_ fd: Int32, _ mode: UInt32) throws(Errno) {
        guard fchmod(fd, mode) == 0 else { throw Errno.current }
    }
}
