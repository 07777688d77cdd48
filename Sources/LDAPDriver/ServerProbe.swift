import Foundation
import SystemCalls

/// Tells "nothing listens" from "something listens but the TLS handshake failed" after an
/// `ldaps://` connect fails: libldap reports both as serverDown, but only the first can heal.
enum ServerProbe {
    /// Host and port of an `ldap://` or `ldaps://` URL (default ports 389 and 636).
    static func hostAndPort(_ url: String) -> (host: String, port: String)? {
        guard let scheme = url.range(of: "://") else { return nil }
        let secure = url[..<scheme.lowerBound].lowercased() == "ldaps"
        var rest = url[scheme.upperBound...]
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            return (host, after.hasPrefix(":") ? String(after.dropFirst()) : (secure ? "636" : "389"))
        }
        let parts = rest.split(separator: ":", maxSplits: 1).map(String.init)
        guard let host = parts.first, !host.isEmpty else { return nil }
        return (host, parts.count > 1 ? parts[1] : (secure ? "636" : "389"))
    }

    /// True when a TCP connection to the URL's host and port succeeds within `timeout` seconds.
    static func accepts(url: String, timeout: Int) -> Bool {
        guard let (host, port) = hostAndPort(url) else { return false }
        return TCPReachability.accepts(host: host, port: port, timeout: timeout)
    }
}
