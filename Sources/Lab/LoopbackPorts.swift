import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loopback TCP ports for the lab's servers. A port is drawn at random from below the kernel's
/// ephemeral range: a port the kernel hands out for `bind(0)` is also the local port of the next
/// outgoing connection (an ssh session, an SMTP client), so a daemon started on it seconds later
/// can find it taken. Below that range only another lab picking the same port can clash, and the
/// starters retry with fresh ports then.
public enum LoopbackPorts {
    /// `count` distinct ports, each bindable now; every probe socket stays bound until all are
    /// picked, so one call never hands out the same port twice.
    public static func reserve(_ count: Int) throws -> [Int] {
        let range = pickRange()
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        var ports: [Int] = []
        var tries = 0
        while ports.count < count {
            tries += 1
            guard tries <= 64 * count else { throw LabError("no free loopback port in \(range.lowerBound)-\(range.upperBound - 1)") }
            if let fd = bound(to: Int.random(in: range)) {
                held.append(fd.socket)
                ports.append(fd.port)
            }
        }
        return ports
    }

    /// One port, bindable now (a test may use it as a port nothing listens on).
    public static func one() throws -> Int { try reserve(1)[0] }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Up to 16,384 ports just below the ephemeral range (`ip_local_port_range`), never below 1024.
    static func pickRange() -> Range<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let low = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { Int($0) } ?? 32768
        let top = max(low, 2048)
        return max(1024, top - 16384)..<top
    }

    /// A socket bound to 127.0.0.1:`port`, or nil when the port is taken.
    private static func bound(to port: Int) -> (socket: Int32, port: Int)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); return nil }
        return (fd, port)
    }

    /// 127.0.0.1:`port` as a socket address.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }
}
