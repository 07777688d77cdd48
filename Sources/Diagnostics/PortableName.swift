/// Portable names (POSIX portable filename characters), safe as a path component, an ssh argument
/// and a step-id segment: letters, digits, `.`, `_`, `-`; not starting with `-` or `.`; no `..`;
/// at most 255 bytes (`NAME_MAX`: a user name becomes a file name such as `/var/mail/<user>`).
///
/// Lives here, below both the compiler and the directory driver, so a name from a plan, a users
/// file or a directory search passes the one same test.
public enum PortableName {
    public static let maxBytes = 255

    /// What a valid name is, for hints: "a user name may hold \(rule)".
    public static let rule = "only letters, digits, '.', '_' and '-'; no leading '-' or '.'; no '..'; at most \(maxBytes) bytes"

    public static func isPortable(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { fault(in: UnsafeRawBufferPointer($0)) == nil }
    }

    /// The byte index of the first thing that makes `bytes` not a portable name (0 when empty),
    /// or nil when it is one. Callers point a diagnostic there without quoting the text.
    public static func fault(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let first = bytes.first else { return 0 }
        if first == 0x2D || first == 0x2E { return 0 }
        var previousDot = false
        for i in 0..<bytes.count {
            if i == maxBytes { return i }
            let b = bytes[i]
            let ok =
                (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
                || b == 0x2E
            if !ok || (b == 0x2E && previousDot) { return i }
            previousDot = b == 0x2E
        }
        return nil
    }
}
