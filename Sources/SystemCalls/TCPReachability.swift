import Glibc

/// Whether anything accepts TCP connections at a host and port.
public enum TCPReachability {
    /// True when a TCP connection to one of `host`'s addresses at `port` succeeds, each attempt
    /// bounded by `timeout` seconds (at least one).
    public static func accepts(host: String, port: String, timeout: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &list) == 0 else { return false }
        defer { freeaddrinfo(list) }
        var next = list
        while let info = next {
            next = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            defer { Glibc.close(fd) }
            var tv = timeval(tv_sec: max(1, timeout), tv_usec: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return true }
        }
        return false
    }
}
