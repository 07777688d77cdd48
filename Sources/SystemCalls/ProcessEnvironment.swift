import Glibc

/// This process's environment as the C library holds it (`environ`), for handing on to children.
public enum ProcessEnvironment {
    /// Every `NAME=value` entry now, in `environ`'s order.
    public static func entries() -> [String] {
        var out: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            out.append(String(cString: entry))
            cursor += 1
        }
        return out
    }
}
