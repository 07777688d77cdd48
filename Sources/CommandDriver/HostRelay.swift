import Foundation
import SystemCalls

#if canImport(Glibc)
import Glibc
#endif

/// Relays a frame stream from one host's session to another's: legacy ssh → this process →
/// store ssh. The hosts never connect to each other, so neither needs to trust the other (no
/// keys between them, no listening port); this process already holds both sessions.
///
/// Frames are `type (1 byte) · length (4 bytes, big-endian) · payload`. The relay copies the
/// bytes in large chunks as they arrive (one read, one write per chunk), tracking only frame
/// boundaries: it refuses an oversized frame, keeps the payload of the terminal frame (the
/// source's summary or failure) for the caller, and stops there. Mail bytes are never parsed
/// or copied more than once here.
public enum HostRelay {
    public struct Outcome: Sendable {
        /// The terminal frame's type and payload; nil when the source ended without one.
        public var terminal: (type: UInt8, payload: Data)?
        public var frames: Int
        public var bytes: Int
    }

    public enum Failure: Error, Sendable {
        /// The source's stream broke a rule (an oversized frame, bytes after its end).
        case malformed(String)
        /// Reading from the source failed.
        case sourceFailed(Int32)
        /// Writing to the store failed (it exited: EPIPE).
        case storeFailed(Int32)
        case cancelled
    }

    /// Copies frames from `source` to `store` until the source's terminal frame or its end.
    /// Blocking: run it on a thread of its own. `store` is not closed here.
    public static func relay(
        from source: Int32, to store: Int32, terminal: Set<UInt8>, frameLimit: Int, cancel: CancelFlag
    ) throws(Failure) -> Outcome {
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var header = [UInt8](repeating: 0, count: 5)
        var have = 0
        var left = 0
        var capturing = false
        var captured = Data()
        var terminalType: UInt8?
        var ended = false
        var outcome = Outcome(terminal: nil, frames: 0, bytes: 0)
        while !ended {
            var poller = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 250)
            if cancel.isSet { throw .cancelled }
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let n: Int
            do {
                n = try Descriptor.read(source, into: buffer, count: capacity)
            } catch {
                throw .sourceFailed(error.code)
            }
            if n == 0 { break }
            let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
            var i = 0
            while i < n {
                if ended { throw .malformed("\(n - i) bytes after the stream's last frame") }
                if left > 0 {
                    let take = min(left, n - i)
                    if capturing { captured.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)])) }
                    (left, i) = (left - take, i + take)
                    if left == 0 && capturing { ended = true }
                    continue
                }
                header[have] = bytes[i]
                (have, i) = (have + 1, i + 1)
                guard have == 5 else { continue }
                have = 0
                let length = Int(header[1]) << 24 | Int(header[2]) << 16 | Int(header[3]) << 8 | Int(header[4])
                guard length <= frameLimit else { throw .malformed("a frame of \(length) bytes (limit \(frameLimit))") }
                outcome.frames += 1
                left = length
                capturing = terminal.contains(header[0])
                if capturing {
                    terminalType = header[0]
                    if length == 0 { ended = true }
                }
            }
            do {
                try Descriptor.writeAll(store, bytes)
            } catch {
                throw .storeFailed(error.code)
            }
            outcome.bytes += n
        }
        if ended, let terminalType { outcome.terminal = (terminalType, captured) }
        return outcome
    }
}
