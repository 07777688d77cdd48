import Steps

/// Where an import argv names the mailbox: an argument equal to its path, or holding it inside
/// (`mbox:/var/mail/u`, `--file=/var/mail/u`), or the literal `{mbox}`. Only whole path
/// occurrences are rewritten: the path must not continue with a name character (`/var/mail/uu`,
/// `/var/mail/u.lock` stay), nor be preceded by one. Plain string replacement; no shell reads it.
enum MailboxPathRewrite {
    static func rewrite(_ argument: String, path: String, with copy: String) -> String {
        let named = String(decoding: replace(Array(argument.utf8), Array(path.utf8), with: Array(copy.utf8)), as: UTF8.self)
        return StepParameters.expand(named, ["mbox": copy])
    }

    /// `needle` replaced where it stands as a whole name (see above).
    static func replace(_ a: [UInt8], _ needle: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        guard !needle.isEmpty, a.count >= needle.count else { return a }
        var out: [UInt8] = []
        out.reserveCapacity(a.count)
        var i = 0
        while i < a.count {
            let end = i + needle.count
            if end <= a.count, a[i..<end].elementsEqual(needle),
                (i == 0 || !continuesName(a[i - 1])) && (end == a.count || !continuesName(a[end]))
            {
                out.append(contentsOf: replacement)
                i = end
            } else {
                out.append(a[i])
                i += 1
            }
        }
        return out
    }

    static func continuesName(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
            || b == 0x2F || b == 0x7E || b == 0x2B || b >= 0x80
    }
}
