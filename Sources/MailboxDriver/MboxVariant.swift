/// The mbox dialects mailshift reads (DOMAIN.md section 2).
///
/// They differ in two things only: whether `From ` lines in bodies were escaped (and whether that
/// escaping can be undone), and whether a `Content-Length:` header delimits the body.
public enum MboxVariant: String, Sendable, Hashable, Codable, CaseIterable {
    /// Detect per file and report the choice.
    case auto
    /// `From ` in bodies written as `>From ` (cannot be undone: `>From ` is kept).
    case mboxo
    /// Every `>*From ` line got one more `>`; reading removes one.
    case mboxrd
    /// mboxo plus `Content-Length:`.
    case mboxcl
    /// `Content-Length:`, no escaping.
    case mboxcl2
    /// Solaris `/var/mail` (mail.local): `Content-Length:` last header, no escaping, local-time From_ lines.
    case solaris

    /// True when a valid `Content-Length:` delimits the body.
    public var usesContentLength: Bool { self == .mboxcl || self == .mboxcl2 || self == .solaris }
    /// True when reading removes one `>` from `>+From ` lines.
    public var unescapesFrom: Bool { self == .mboxrd }
}
