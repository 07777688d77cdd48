import Foundation
import Glibc

/// Detects a mailbox's variant from its first megabytes (`format: auto`).
///
/// Evidence: valid Content-Length headers mean mboxcl, mboxcl2 or Solaris (Solaris when
/// Content-Length is the last header, mboxcl when bodies hold `>From ` escapes and no bare
/// `From ` line); otherwise `>>From ` lines mean mboxrd, and anything else reads as mboxo, which
/// keeps every byte (the safest reading when nothing tells mboxo and mboxrd apart).
enum MboxSniffer {
    static let sampleSize = 4 << 20

    static func detect(fd: Int32, size: Int, timeZone: TimeZone) -> MboxVariant {
        let n = min(size, sampleSize)
        guard n > 0 else { return .mboxo }
        var sample = [UInt8](repeating: 0, count: n)
        let got = sample.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, 0) }
        guard got > 0 else { return .mboxo }
        if got < n { sample.removeLast(n - got) }
        return classify(sample, fileSize: size, timeZone: timeZone)
    }

    static func classify(_ s: [UInt8], fileSize: Int, timeZone: TimeZone) -> MboxVariant {
        var messages = 0, withCL = 0, clValid = 0, clLast = 0
        var escaped = 0, doubleEscaped = 0, bareInCL = 0
        var i = 0
        var inHeaders = false
        var lastHeaderWasCL = false
        var clEnd = -1  // while inside a Content-Length-delimited body, where it ends
        let from = Array("From ".utf8)
        let cl = Array("content-length:".utf8)
        s.withUnsafeBytes { p in
            while i < s.count {
                let nl = s[i...].firstIndex(of: 0x0A) ?? s.count
                var e = nl
                if e > i && s[e - 1] == 0x0D { e -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: p[i..<e])
                let next = nl + 1
                defer { i = next }
                if clEnd >= 0 && i >= clEnd { clEnd = -1 }
                if inHeaders {
                    if line.isEmpty {
                        inHeaders = false
                        if lastHeaderWasCL { clLast += 1 }
                        continue
                    }
                    if line.count > cl.count,
                        line[0..<cl.count].map({ $0 | ($0 >= 0x41 && $0 <= 0x5A ? 0x20 : 0) }).elementsEqual(cl)
                    {
                        withCL += 1
                        lastHeaderWasCL = true
                        let v = String(decoding: line[cl.count...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                        if let len = Int(v), len >= 0 {
                            let bodyStart = headerEnd(s, from: next)
                            let land = bodyStart + len
                            if land == fileSize || land + 1 == fileSize || (land + 6 <= s.count && Array(s[(land + 1)..<(land + 6)]) == from) {
                                clValid += 1
                                clEnd = land
                            } else if land + 6 > s.count && land < fileSize {
                                clValid += 1  // beyond the sample: give it the benefit of the doubt
                                clEnd = land
                            }
                        }
                    } else if line.first != 0x20 && line.first != 0x09 {
                        lastHeaderWasCL = false
                    }
                    continue
                }
                if line.starts(with: from) {
                    if clEnd >= 0 {
                        bareInCL += 1
                    } else if FromLine.parse(line, timeZone: timeZone) != nil {
                        messages += 1
                        inHeaders = true
                        lastHeaderWasCL = false
                    }
                    continue
                }
                if line.first == 0x3E {
                    var g = 0
                    while g < line.count && line[g] == 0x3E { g += 1 }
                    if line.count - g >= 5 && line[g..<(g + 5)].elementsEqual(from) {
                        if g >= 2 { doubleEscaped += 1 } else { escaped += 1 }
                    }
                }
            }
        }
        if withCL > 0 && clValid * 2 >= withCL {
            if escaped + doubleEscaped > 0 && bareInCL == 0 { return .mboxcl }
            return clLast * 2 >= withCL ? .solaris : .mboxcl2
        }
        return doubleEscaped > 0 ? .mboxrd : .mboxo
    }

    /// Offset just after the empty line that ends the header section starting at `from`.
    private static func headerEnd(_ s: [UInt8], from: Int) -> Int {
        var i = from
        while i < s.count {
            let nl = s[i...].firstIndex(of: 0x0A) ?? s.count
            let len = nl - i
            if len == 0 || (len == 1 && s[i] == 0x0D) { return nl + 1 }
            i = nl + 1
        }
        return s.count
    }
}
