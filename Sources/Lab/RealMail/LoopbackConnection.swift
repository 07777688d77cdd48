import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP connection to 127.0.0.1 (the lab's daemons listen nowhere else), read by
/// lines or byte counts, with a timeout on every read and write so a stuck daemon fails a check
/// instead of hanging it.
final class LoopbackConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    let port: Int

    /// Connects to 127.0.0.1:`port`; `timeout` bounds each read and write.
    init(port: Int, timeout: TimeInterval = 30) throws {
        self.port = port
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LabError("socket() failed: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = LoopbackPorts.loopback(port: port)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw LabError("cannot connect to 127.0.0.1:\(port): \(reason)", hint: "is the lab up? (`mailshift lab up DIR`)")
        }
    }

    deinit { close(fd) }

    func write(_ text: String) throws { try write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw LabError("write to 127.0.0.1:\(port) failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// One line without its CRLF (or LF).
    func readLine() throws -> String {
        while true {
            if let nl = buffer[start...].firstIndex(of: 10) {
                var end = nl
                if end > start && buffer[end - 1] == 13 { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                consume(upTo: nl + 1)
                return line
            }
            try fill()
        }
    }

    /// Exactly `count` bytes.
    func read(count: Int) throws -> [UInt8] {
        while buffer.count - start < count { try fill() }
        let bytes = Array(buffer[start..<start + count])
        consume(upTo: start + count)
        return bytes
    }

    private func consume(upTo index: Int) {
        start = index
        if start > 65_536 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw LabError("read from 127.0.0.1:\(port) failed: \(String(cString: strerror(errno)))") }
            if n == 0 { throw LabError("127.0.0.1:\(port) closed the connection") }
            buffer.append(contentsOf: chunk[0..<n])
            return
        }
    }
}
