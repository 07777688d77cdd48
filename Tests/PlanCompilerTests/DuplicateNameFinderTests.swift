import Testing

@testable import PlanCompiler

/// The bucketed duplicate finder agrees with a plain dictionary, on small and large inputs.
@Suite struct DuplicateNameFinderTests {
    static func reference(_ names: [String]) -> [(Int, Int)] {
        var first: [String: Int] = [:]
        var out: [(Int, Int)] = []
        for (i, n) in names.enumerated() {
            if let f = first[n] { out.append((i, f)) } else { first[n] = i }
        }
        return out
    }

    @Test(arguments: [0, 1, 2, 10, 5_000, 300_000])
    func agreesWithADictionary(_ count: Int) {
        var names = (0..<count).map { "u\($0 * 7919 % (count + 1))" }
        // Plant repeats: some adjacent, some far apart, one name three times.
        if count > 2 {
            names[count - 1] = names[0]
            names[count / 2] = names[1]
            names.append(names[0])
        }
        let found = DuplicateNameFinder.duplicates(in: names).map { ($0.index, $0.first) }
        let expected = Self.reference(names)
        #expect(found.count == expected.count)
        #expect(zip(found, expected).allSatisfy { $0 == $1 })
    }

    @Test func userListDigestSeparatesNames() {
        let a = UserListDigest.fingerprint(["ab", "c"])
        let b = UserListDigest.fingerprint(["a", "bc"])
        let c = UserListDigest.fingerprint(["ab", "c"])
        #expect(a != b)
        #expect(a == c)
        #expect(UserListDigest.fingerprint([]) != UserListDigest.fingerprint([""]))
    }
}
