import Diagnostics
import Testing

@Suite struct NameSuggesterTests {
    @Test func suggestsTheClosestName() {
        #expect(NameSuggester.suggest("stor1", among: ["store1", "legacy"]) == "store1")
        #expect(NameSuggester.suggest("stratgy", among: ["strategy", "hosts", "version"]) == "strategy")
    }

    @Test func staysQuietWhenNothingIsClose() {
        #expect(NameSuggester.suggest("zzzz", among: ["store1", "legacy"]) == nil)
    }

    @Test func countsATranspositionAsOneEdit() {
        #expect(NameSuggester.editDistance("hsots", "hosts") == 1)
        #expect(NameSuggester.editDistance("kitten", "sitting") == 3)
    }
}
