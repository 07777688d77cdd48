@testable import MailboxDriver
import Testing

/// `MaildirName(fileName:)` reads ASCII names as bytes; it must decide exactly as the
/// character-wise reading does, for our names and for anything else found in a Maildir.
@Suite struct MaildirNameParseTests {
    static let names = [
        "1762077600.Mm0-1a2b3c4d_0123456789abcdef.mailshift,S=120",
        "1762077600.Mm1234-1a2b3c4d_0123456789abcdef.mailshift,S=120:2,RS",
        "1762077600.Ms99-ffffffff_0123456789abcdef.mailshift,S=7:2,",
        "1762077600.Mh0123_0123456789abcdef.mailshift,S=7:2,FS",
        "-5.Mm0-1_2.mailshift,S=3",
        "+5.Mm0_x_y.mailshift,S=3:2,S:2,T",
        "1762077600.M_d.mailshift,S=1",
        "1762077600.Mm0-1_d.mailshift,S=",
        "1762077600.Mm0-1_d.mailshift,S=99999999999999999999999",
        "1762077600.Xm0-1_d.mailshift,S=1",
        "1762077600.M.mailshift,S=1",
        "x.Mm0-1_d.mailshift,S=1",
        "1762077600.Mm0-1_d.mailshift,S=12abc:2,S",
        "1762077600.M1.host,S=12:2,S",
        ".mailshift,S=1",
        "",
        "1762077600.Mm0-1_d.mailshift,S=1\u{301}",
        "17620776\u{0663}0.Mm0-1_d.mailshift,S=1",
        "1762077600.Mm0-1_dé.mailshift,S=1:2,S",
    ]

    @Test(arguments: names) func bytesAndCharactersAgree(_ name: String) {
        #expect(MaildirName(fileName: name) == MaildirName(characters: name), "\(name)")
    }

    @Test func ourNamesRoundTrip() {
        let n = MaildirName(date: 1_762_077_600, tag: "m42-0badcafe", digest: "0123456789abcdef", size: 3001, flags: MaildirFlags(letters: "SR", old: true))
        #expect(MaildirName(fileName: n.fileName) == n)
        #expect(MaildirName(fileName: "1762077600.Mm0-1a2b3c4d_0123456789abcdef.mailshift,S=120")?.tag == "m0-1a2b3c4d")
    }
}
