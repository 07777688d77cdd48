import SystemCalls

/// Why mailshift will not use a state directory or one of its files: someone other than the
/// running user could have written it, so a record in it could be forged.
public enum TrustProblem: Sendable, Hashable, CustomStringConvertible {
    /// The path is a symbolic link (it could point anywhere, chosen by whoever made it).
    case symlink
    /// Not a directory (for the state directory) or not a regular file (for its files).
    case wrongType
    /// Owned by another user (uid).
    case notOwned(uid: UInt32)
    /// Writable by the group or by others (the mode).
    case writableByOthers(mode: UInt32)
    /// A directory above the state directory that another user may change (rename the state
    /// directory away, put one of theirs in its place).
    case unsafeAncestor(path: String, mode: UInt32, uid: UInt32)
    /// The journal exists but its key does not: its records cannot be verified.
    case keyMissing
    /// The key is readable or writable by the group or others (the mode): it may be known.
    case keyExposed(mode: UInt32)

    public var description: String {
        switch self {
        case .symlink: "is a symbolic link"
        case .wrongType: "is not of the expected type (a directory for the state, a regular file inside it)"
        case .notOwned(let uid): "is owned by uid \(uid), not by the user running mailshift (uid \(currentUID()))"
        case .writableByOthers(let mode): "is writable by group or others (mode \(octal(mode)))"
        case .unsafeAncestor(let path, let mode, let uid):
            "lies under \(path) (uid \(uid), mode \(octal(mode))), which another user may change"
        case .keyMissing: "has no journal.key beside it, so its records cannot be verified"
        case .keyExposed(let mode): "is readable or writable by group or others (mode \(octal(mode)))"
        }
    }

    /// What to do, for `path`.
    func hint(for path: String) -> String {
        switch self {
        case .symlink:
            "use the real directory (--state DIR) instead of a link to it"
        case .wrongType:
            "move \(path) aside and run again"
        case .notOwned, .writableByOthers:
            "if you trust its contents, make it yours and private (chown \(currentUID()) \(path); chmod go-w \(path)); "
                + "otherwise move the state directory aside"
        case .unsafeAncestor(let ancestor, _, _):
            "keep the state in a directory only you and root can change (chmod go-w \(ancestor), or --state DIR)"
        case .keyMissing:
            "the journal cannot be trusted without its key: move the state directory aside and check each step by hand"
        case .keyExposed:
            "the key may be known to others, so the journal may be forged: move the state directory aside"
        }
    }
}

func octal(_ mode: UInt32) -> String { "0" + String(mode & 0o7777, radix: 8) }

func currentUID() -> UInt32 { ProcessIdentity.effectiveUser }
