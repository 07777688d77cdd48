import Glibc

/// Random bytes from the kernel.
public enum Entropy {
    /// `count` bytes from getentropy(3) (glibc's getrandom(2), no file to open), asked for at
    /// most 256 at a time (its limit per call); nil when it fails.
    public static func bytes(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = min(256, count - filled)
            guard bytes.withUnsafeMutableBytes({ getentropy($0.baseAddress! + filled, n) }) == 0 else { return nil }
            filled += n
        }
        return bytes
    }
}
