import Digest
import Testing

@Suite struct HMACSHA256Tests {
    // RFC 4231, test cases 1 and 2.
    @Test func matchesTheRFC4231Vectors() {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(HMACSHA256.authenticate(Array("Hi There".utf8), key: key1).hexString
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(HMACSHA256.authenticate(Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8)).hexString
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func theContextIsKeyedAgainAfterADigestAndTruncates() {
        var mac = HMACSHA256(key: Array("Jefe".utf8))
        mac.update(Array("what do ya want for nothing?".utf8))
        let first = mac.finalize(length: 16)
        mac.update(Array("what do ya want for nothing?".utf8))
        #expect(mac.finalize().prefix(16) == first[...])
        #expect(first.hexString == "5bdcc146bf60754e6a042426089575c7")
    }
}
