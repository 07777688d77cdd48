import Foundation
import MailboxDriver
import Testing

@Suite struct CanonicalDigestTests {
    static func digest<H: CanonicalHasher>(_ bytes: [UInt8], chunk: Int, _: H.Type) -> String {
        var d = CanonicalDigest<H>()
        var i = 0
        while i < bytes.count {
            let e = min(bytes.count, i + chunk)
            bytes[i..<e].withUnsafeBytes { d.update($0) }
            i = e
        }
        return d.finalize()
    }

    @Test func sameDigestHoweverTheBytesAreChunked() {
        var text = "Subject: x\r\n\r\n>From a\n>>From b\n\n\nplain line\n"
        text += String(repeating: "y", count: 70_000) + "\n>" + String(repeating: ">", count: 10) + "From deep\nend\n\n\n"
        let bytes = Array(text.utf8)
        let whole = Self.digest(bytes, chunk: bytes.count, SHA256Hasher.self)
        for chunk in [1, 2, 3, 5, 7, 64, 1000, 65_537] {
            #expect(Self.digest(bytes, chunk: chunk, SHA256Hasher.self) == whole, "chunk \(chunk)")
            #expect(Self.digest(bytes, chunk: chunk, XXH64Hasher.self) == Self.digest(bytes, chunk: bytes.count, XXH64Hasher.self))
        }
    }

    @Test func variantsOfOneMessageAgree() {
        let mboxo = Array("Subject: x\n\n>From here\nbody\n".utf8)
        let solaris = Array("Subject: x\n\nFrom here\nbody\n\n".utf8)
        let crlf = Array("Subject: x\r\n\r\n>>From here\r\nbody\r\n".utf8)
        let d = Self.digest(solaris, chunk: 100, SHA256Hasher.self)
        #expect(Self.digest(mboxo, chunk: 100, SHA256Hasher.self) == d)
        #expect(Self.digest(crlf, chunk: 100, SHA256Hasher.self) == d)
        #expect(Self.digest(Array("Subject: y\n\nFrom here\nbody\n".utf8), chunk: 100, SHA256Hasher.self) != d)
    }

    @Test func xxh64KnownAnswers() {
        // Reference values of XXH64 with seed 0.
        var empty = XXH64Hasher()
        #expect(empty.finalize() == 0xEF46_DB37_51D8_E999)
        var abc = XXH64Hasher()
        Array("abc".utf8).withUnsafeBytes { abc.update($0) }
        #expect(abc.finalize() == 0x44BC_2CF5_AD77_0999)
    }
}
