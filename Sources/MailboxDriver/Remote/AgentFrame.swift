import Foundation
import Glibc
import SystemCalls

/// One frame of the message stream: a type byte, a 4-byte big-endian length, the payload.
public enum AgentFrameType: UInt8, Sendable {
    /// A message begins: `MessageHeadCodec` head, then its kept header bytes.
    case head = 0x4D  // M
    /// The next bytes of the current message's body.
    case body = 0x42  // B
    /// The current message ends: stored bytes and end offset (two big-endian Int64).
    case end = 0x45  // E
    /// One source message for verify: offset, tag, digest (`DigestEntryCodec`).
    case digest = 0x44  // D
    /// The stream ended well: `SourceSummary` JSON. Always the last frame.
    case summary = 0x53  // S
    /// The source failed: `AgentFailure` JSON. Always the last frame.
    case failure = 0x58  // X
}

/// Reads frames from a descriptor with one reusable buffer (memory bounded by the frame limit).
public final class FrameReader {
    let fd: Int32
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0, end = 0

    public init(fd: Int32) {
        self.fd = fd
        capacity = 1 << 20
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// The next frame, or nil at a clean end of input (before any byte of a frame).
    /// The payload is valid until the next call.
    public func next() throws(AgentFailure) -> (AgentFrameType, UnsafeRawBufferPointer)? {
        guard try fill(5, allowEOF: true) else { return nil }
        let p = buffer + start
        let code = p.load(as: UInt8.self)
        let length = Int(p.loadUnaligned(fromByteOffset: 1, as: UInt32.self).bigEndian)
        guard let type = AgentFrameType(rawValue: code) else {
            throw AgentFailure(message: "the stream holds an unknown frame type \(code)")
        }
        guard length <= AgentProtocol.frameLimit else {
            throw AgentFailure(message: "a \(type) frame of \(length) bytes exceeds the protocol's limit of \(AgentProtocol.frameLimit)")
        }
        _ = try fill(5 + length, allowEOF: false)
        let payload = UnsafeRawBufferPointer(start: buffer + start + 5, count: length)
        start += 5 + length
        return (type, payload)
    }

    /// Makes `count` bytes available from `start`; false at EOF before the first byte.
    private func fill(_ count: Int, allowEOF: Bool) throws(AgentFailure) -> Bool {
        if end - start >= count { return true }
        if count > capacity - start {
            if count > capacity {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
                bigger.copyMemory(from: buffer + start, byteCount: end - start)
                buffer.deallocate()
                (buffer, capacity) = (bigger, count)
            } else {
                memmove(buffer, buffer + start, end - start)
            }
            (start, end) = (0, end - start)
        }
        while end - start < count {
            let n: Int
            do {
                n = try Descriptor.read(fd, into: buffer + end, count: capacity - end)
            } catch {
                throw AgentFailure(message: "reading the stream failed: \(String(cString: strerror(error.code)))", transient: true)
            }
            if n == 0 {
                if allowEOF && end == start { return false }
                throw AgentFailure(message: "the stream ended in the middle of a frame (the other side's session ended)", transient: true)
            }
            end += n
        }
        return true
    }
}

/// Writes frames to a descriptor, gathering small ones into one write.
public final class FrameWriter {
    let fd: Int32
    private var pending: [UInt8] = []
    static let flushAt = 256 << 10

    public init(fd: Int32) { self.fd = fd }

    public func write(_ type: AgentFrameType, _ parts: UnsafeRawBufferPointer...) throws(Errno) {
        let length = parts.reduce(0) { $0 + $1.count }
        pending.append(type.rawValue)
        withUnsafeBytes(of: UInt32(length).bigEndian) { pending.append(contentsOf: $0) }
        for part in parts { pending.append(contentsOf: part) }
        if pending.count >= Self.flushAt { try flush() }
    }

    public func write(_ type: AgentFrameType, json value: some Encodable) throws(Errno) {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        let outcome: Result<Void, Errno> = data.withUnsafeBytes { raw in Result { () throws(Errno) in try write(type, raw) } }
        try outcome.get()
    }

    public func flush() throws(Errno) {
        guard !pending.isEmpty else { return }
        try Descriptor.writeAll(fd, pending)
        pending.removeAll(keepingCapacity: true)
    }
}

/// One JSON line on a descriptor, read byte-bounded (the hello, the request, the store's answer).
enum JSONLine {
    /// The next line (nil at the end of input). With `within` (seconds from now) it polls before
    /// each read, so a session that never answers, or a cancelled run, ends the wait: `Timeout`
    /// at the deadline, `CancellationError` when `cancel` is raised. Without it, a plain blocking
    /// read (the agent reading its request: the orchestrator ends it by closing the pipe).
    static func read(_ fd: Int32, limit: Int = AgentProtocol.lineLimit, within seconds: Double? = nil, cancel: CancelFlag? = nil) throws -> Data? {
        let end = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, min(seconds ?? 0, 1e9)) * 1e9)
        var line = Data()
        var byte: UInt8 = 0
        // Bytes known to be there (from FIONREAD after a poll): read without polling again.
        var buffered = 0
        while true {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while let seconds, buffered == 0 {
                if cancel?.isSet == true { throw CancellationError() }
                let now = DispatchTime.now().uptimeNanoseconds
                guard now < end else { throw Timeout(seconds: seconds) }
                // Short slices, so a raised cancel flag is seen within 100 ms.
                let r = poll(&ready, 1, Int32(min((end - now) / 1_000_000 + 1, 100)))
                if r > 0 {
                    buffered = max(1, Descriptor.bytesReadable(fd))
                    break
                }
                if r < 0 && errno != EINTR { throw AgentFailure(message: "waiting for a line failed: \(String(cString: strerror(errno)))", transient: true) }
            }
            let n: Int
            do {
                n = try Descriptor.read(fd, into: &byte, count: 1)
            } catch {
                throw AgentFailure(message: "reading a line failed: \(String(cString: strerror(error.code)))", transient: true)
            }
            buffered = max(0, buffered - 1)
            if n == 0 { return line.isEmpty ? nil : line }
            if byte == 0x0A { return line }
            guard line.count < limit else { throw AgentFailure(message: "a protocol line is longer than \(limit) bytes") }
            line.append(byte)
        }
    }

    /// No line came within the time allowed.
    struct Timeout: Error {
        var seconds: Double
    }

    static func write(_ fd: Int32, _ value: some Encodable) throws(Errno) {
        var data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        data.append(0x0A)
        try Descriptor.writeAll(fd, [UInt8](data))
    }
}
