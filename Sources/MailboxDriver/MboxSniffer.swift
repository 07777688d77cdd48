import Foundation
import Glibc

/// Detects a mailbox's variant from its first megabytes (`format: auto`).
///
/// Evidence: valid Content-Length headers mean mboxcl, mboxcl2 or Solaris (Solaris when
/// Content-Length is the last header, mboxcl when bodies hold `>From ` escapes and no bare
/// `From ` line); otherwise `>>From ` lines mean mboxrd, and anything else reads as mboxo, which
/// keeps every byte. A file with `>From ` lines and no `>>From ` is ambiguous: mboxo keeps those
/// `>`s, mboxrd removes them, and nothing in the file says which its writer meant
/// (`Evidence.ambiguous`; the reader refuses it unless told how to read it).
enum MboxSniffer {
    /// What the sample showed: the variant it points to, and whether mboxo and mboxrd would read
    /// it differently with nothing to choose between them.
    struct Evidence: Sendable, Hashable {
        var variant: MboxVariant
        /// `>From ` lines (one `>`) outside Content-Length bodies, and no `>>From ` line.
        var ambiguous: Bool
        /// Offset of the first `>From ` line (for the error), or -1.
        var firstEscape: Int
    }

    static let sampleSize = 4 << 20

    static func detect(fd: Int32, size: Int, timeZone: TimeZone) -> Evidence {
        let plain = Evidence(variant: .mboxo, ambiguous: false, firstEscape: -1)
        let n = min(size, sampleSize)
        guard n > 0 else { return plain }
        var sample = [UInt8](repeating: 0, count: n)
        let got = sample.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, 0) }
        guard got > 0 else { return plain }
        if got < n { sample.removeLast(n - got) }
        return evidence(sample, fileSize: size, timeZone: timeZone)
    }

    static func classify(_ s: [UInt8], fileSize: Int, timeZone: TimeZone) -> MboxVariant {
        evidence(s, fileSize: fileSize, timeZone: timeZone).variant
    }

    static func evidence(_ s: [UInt8], fileSize: Int, timeZone: TimeZone) -> Evidence {
        var messages = 0, withCL = 0, clValid = 0, clLast = 0
        var escaped = 0, doubleEscaped = 0, bareInCL = 0
        var firstEscape = -1
        var i = 0
        var inHeaders = false
        var lastHeaderWasCL = false
        // The header section's Content-Length, judged where the section ends (once: judging at
        // each header would rescan the section per header).
        var sawCL = false
        var pendingCL: Int?
        var clEnd = -1  // while inside a Content-Length-delimited body, where it ends
        let from = Array("From ".utf8)
        let cl = Array("content-length:".utf8)

        /// The header section ended; its body starts at `bodyStart`.
        func judgeContentLength(bodyStart: Int) {
            defer { (sawCL, pendingCL) = (false, nil) }
            guard sawCL else { return }
            withCL += 1
            guard let len = pendingCL else { return }
            if let land = landing(s, fileSize: fileSize, bodyStart: bodyStart, length: len) {
                clValid += 1
                clEnd = land
            }
        }

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
                        judgeContentLength(bodyStart: min(next, s.count))
                        continue
                    }
                    if line.count > cl.count,
                        line[0..<cl.count].map({ $0 | ($0 >= 0x41 && $0 <= 0x5A ? 0x20 : 0) }).elementsEqual(cl)
                    {
                        lastHeaderWasCL = true
                        sawCL = true
                        if let n = ContentLength.parse(UnsafeRawBufferPointer(rebasing: line[cl.count...])) { pendingCL = n }
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
                        (sawCL, pendingCL) = (false, nil)
                    }
                    continue
                }
                if line.first == 0x3E {
                    var g = 0
                    while g < line.count && line[g] == 0x3E { g += 1 }
                    if line.count - g >= 5 && line[g..<(g + 5)].elementsEqual(from) {
                        if g >= 2 {
                            doubleEscaped += 1
                        } else {
                            escaped += 1
                            if firstEscape < 0 { firstEscape = i }
                        }
                    }
                }
            }
        }
        if inHeaders { judgeContentLength(bodyStart: s.count) }
        if withCL > 0 && clValid * 2 >= withCL {
            let variant: MboxVariant =
                escaped + doubleEscaped > 0 && bareInCL == 0 ? .mboxcl : clLast * 2 >= withCL ? .solaris : .mboxcl2
            return Evidence(variant: variant, ambiguous: false, firstEscape: firstEscape)
        }
        if doubleEscaped > 0 { return Evidence(variant: .mboxrd, ambiguous: false, firstEscape: firstEscape) }
        return Evidence(variant: .mboxo, ambiguous: escaped > 0, firstEscape: firstEscape)
    }

    /// mutt's rule, on the sample: where a body of `length` bytes from `bodyStart` ends, when that
    /// is the end of file or a LF then `From ` (or beyond the sample: the benefit of the doubt);
    /// nil when it is past the end of file or not on a message boundary. The length is the
    /// sender's: it is bounded by the file before any sum is made with it.
    static func landing(_ s: [UInt8], fileSize: Int, bodyStart: Int, length: Int) -> Int? {
        guard length >= 0, length <= fileSize - bodyStart else { return nil }
        let land = bodyStart + length
        if land == fileSize || land + 1 == fileSize { return land }
        if land + 6 <= s.count { return s[(land + 1)..<(land + 6)].elementsEqual("From ".utf8) ? land : nil }
        return land
    }
}
