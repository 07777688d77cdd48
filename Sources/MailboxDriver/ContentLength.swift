/// A `Content-Length:` header value, as the sender wrote it: decimal digits (an optional `+`),
/// surrounding blanks ignored.
///
/// Nil for anything else. The value comes from outside, so it is accumulated with checked
/// arithmetic: a number too large for `Int` reads as `Int.max`, a length no file has, so it is
/// judged wrong (a warning, From_ lines used) like any other length that does not land.
enum ContentLength {
    static func parse(_ value: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        var e = value.count
        while i < e, isBlank(value[i]) { i += 1 }
        while e > i, isBlank(value[e - 1]) { e -= 1 }
        if i < e, value[i] == 0x2B { i += 1 }
        guard i < e else { return nil }
        var n = 0
        for k in i..<e {
            let d = Int(value[k]) - 0x30
            guard d >= 0 && d <= 9 else { return nil }
            let (times10, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(d)
            guard !o1, !o2 else { return Int.max }
            n = sum
        }
        return n
    }

    private static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
}
