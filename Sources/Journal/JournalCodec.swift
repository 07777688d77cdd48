/// The journal's line format: one payload per line, and after each group of lines written
/// together a seal line (`~` and a keyed, chained tag: `JournalSeal`).
///
/// The seals detect torn and damaged groups and, the key being private, forged, moved or dropped
/// ones. A group without a valid seal is torn (power loss mid-write) when it is the last one,
/// and corruption (or forgery) otherwise. Fields are separated by tabs; a field escapes `\`, tab,
/// CR and LF, so any step id, output value or error text round-trips.
///
/// Format 1 had an unkeyed 8-digit checksum per line that anyone could recompute; it is
/// recognised only to be refused (`JournalError.unkeyed`).
public enum JournalCodec {
    public static let magic = "mailshift-journal"
    public static let version = "2"

    // MARK: Encoding

    /// Appends one line for `fields` to `out`.
    static func appendLine(_ fields: [String], to out: inout [UInt8]) {
        for (n, field) in fields.enumerated() {
            if n > 0 { out.append(0x09) }
            escape(field, into: &out)
        }
        out.append(0x0A)
    }

    static func encode(_ record: JournalRecord, into out: inout [UInt8]) {
        // The hot path (two records per step): bytes straight into `out`.
        out.append(record.kind.rawValue)
        out.append(0x09)
        appendDecimal(record.index, to: &out)
        out.append(0x09)
        escape(record.fingerprint, into: &out)
        out.append(0x09)
        escape(record.stepID, into: &out)
        for field in record.detail {
            out.append(0x09)
            escape(field, into: &out)
        }
        out.append(0x0A)
    }

    private static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        if n < 0 {
            out.append(0x2D)
            appendDecimal(-n, to: &out)
            return
        }
        if n >= 10 { appendDecimal(n / 10, to: &out) }
        out.append(UInt8(0x30 + n % 10))
    }

    static func encode(_ header: JournalHeader, into out: inout [UInt8]) {
        appendLine(["H", magic, version, header.graphFingerprint, header.planName, String(header.stepCount)], to: &out)
    }

    static func escape(_ s: String, into out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x09: out += [0x5C, 0x74]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            default: out.append(b)
            }
        }
    }

    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(0x5C) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x5C, i + 1 < bytes.count {
                switch bytes[i + 1] {
                case 0x74: out.append(0x09)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                default: out.append(bytes[i + 1])
                }
                i += 2
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Output keys may hold `=`, the key/value separator: escaped as `\e` (and `\` as `\\`).
    static func escapeKey(_ key: String) -> String {
        guard key.contains("=") || key.contains("\\") else { return key }
        return key.replacingAll("\\", "\\\\").replacingAll("=", "\\e")
    }

    static func unescapeKey(_ key: String) -> String {
        guard key.contains("\\") else { return key }
        var out = ""
        var escaped = false
        for c in key {
            if escaped {
                out.append(c == "e" ? "=" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    // MARK: Decoding

    /// The fast path: a started, skipped, or output-less done record decoded without splitting
    /// fields (kind and index only); nil when the record carries more (decode it fully).
    private static func statusOnly(_ payload: UnsafeBufferPointer<UInt8>) -> JournalRecord? {
        guard payload.count > 2, payload[1] == 0x09, let kind = JournalRecord.Kind(rawValue: payload[0]) else {
            return nil
        }
        var tabs = 1
        for b in payload[2...] where b == 0x09 { tabs += 1 }
        switch kind {
        case .started, .skipped, .released: break
        case .done where tabs == 4: break
        default: return nil
        }
        var index = 0
        var k = 2
        while k < payload.count, payload[k] != 0x09 {
            let c = payload[k]
            guard c >= 0x30, c <= 0x39 else { return nil }
            index = index &* 10 &+ Int(c - 0x30)
            k += 1
        }
        return JournalRecord(kind: kind, index: index, fingerprint: "", stepID: "")
    }

    /// Whether `line` is the header of a format-1 journal (8-digit unkeyed checksum).
    static func isUnkeyedHeader(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        let prefix = Array("H\t\(magic)\t1\t".utf8)
        guard line.count > 9 + prefix.count, line[8] == 0x20 else { return false }
        return Array(line[9..<(9 + prefix.count)]) == prefix
    }

    /// What one line holds.
    enum Line {
        case header(JournalHeader)
        case record(JournalRecord)
    }

    enum LineError: Error { case malformed }

    /// Decodes one line (without its newline). With `full == false` only the kind and index are
    /// decoded (the fast path of a resume against the same graph), plus id and detail for the
    /// records that carry information beyond a status (outputs, failures, approvals). Only lines
    /// of a group whose seal was verified are decoded.
    static func decodeLine(_ payload: UnsafeBufferPointer<UInt8>, full: Bool) throws(LineError) -> Line {
        guard !payload.isEmpty else { throw .malformed }
        if !full, let record = statusOnly(payload) { return .record(record) }
        var fields: [UnsafeBufferPointer<UInt8>] = []
        var start = 0
        for i in 0..<payload.count where payload[i] == 0x09 {
            fields.append(UnsafeBufferPointer(rebasing: payload[start..<i]))
            start = i + 1
        }
        fields.append(UnsafeBufferPointer(rebasing: payload[start...]))
        guard let first = fields.first, first.count == 1 else { throw .malformed }
        if first[0] == 0x48 {  // H
            guard fields.count >= 6, unescape(fields[1]) == magic, let count = Int(unescape(fields[5])) else {
                throw .malformed
            }
            return .header(JournalHeader(
                graphFingerprint: unescape(fields[3]), planName: unescape(fields[4]), stepCount: count,
                formatVersion: unescape(fields[2])))
        }
        guard let kind = JournalRecord.Kind(rawValue: first[0]), fields.count >= 4 else { throw .malformed }
        var index = 0
        var negative = false
        for (n, c) in fields[1].enumerated() {
            if n == 0, c == 0x2D {
                negative = true
                continue
            }
            guard c >= 0x30, c <= 0x39 else { throw .malformed }
            index = index &* 10 &+ Int(c - 0x30)
        }
        if negative { index = -index }
        let needsDetail = full || kind != .started && kind != .skipped && kind != .released
            && !(kind == .done && fields.count <= 5)
        guard needsDetail else {
            return .record(JournalRecord(kind: kind, index: index, fingerprint: "", stepID: ""))
        }
        return .record(JournalRecord(
            kind: kind, index: index, fingerprint: unescape(fields[2]), stepID: unescape(fields[3]),
            detail: fields[4...].map { unescape($0) }))
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
