import Digest
import Testing

@Suite struct SHA256Tests {
    @Test func matchesTheStandardVectors() {
        #expect(SHA256.hash("").hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash("abc").hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hexString
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func streamingEqualsOneShot() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var h = SHA256()
        var i = 0
        for size in [1, 63, 64, 65, 127, 1000] where i < data.count {
            h.update(data[i..<min(data.count, i + size)])
            i += size
        }
        h.update(data[i...])
        #expect(h.finalize() == SHA256.hash(data))
    }

    @Test func fingerprintsSeparateTheirFields() {
        #expect(Fingerprint(fields: ["ab", "c"]) != Fingerprint(fields: ["a", "bc"]))
        #expect(Fingerprint(fields: ["x"]) == Fingerprint(fields: ["x"]))
    }
}
