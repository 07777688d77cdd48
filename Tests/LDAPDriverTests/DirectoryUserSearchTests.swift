import Diagnostics
import Lab
import LDAPDriver
import Steps
import MailshiftTestSupport
import Testing

@Suite struct DirectoryUserSearchTests {
    @Test func pagedSearchReturnsSortedNames() async throws {
        let users = (1...250).map { DirectoryUser.mailUser(String(format: "u%03d", $0), mailHost: $0 % 2 == 0 ? "oldmail.example.edu" : "other.example.edu") }
        let slapd = try SlapdFixture(users: users)
        defer { slapd.stop() }
        let search = DirectoryUserSearch(endpoint: slapd.endpoint(), pageSize: 20)
        let names = try await search.users(matching: "(mailHost=OLDMAIL.example.edu)")
        #expect(names.count == 125)
        #expect(names.first == "u002")
        #expect(names == names.sorted())
        #expect(slapd.slapd.accessLog().components(separatedBy: "SRCH base=").count - 1 >= 7, "several pages")
    }

    /// A user who can write her own entry adds `uid: root`: the search refuses the entry by DN
    /// instead of moving root.
    @Test func aSecondUidValueIsAnErrorNamingTheEntry() async throws {
        var mallory = DirectoryUser.mailUser("mallory")
        mallory.attributes["uid"] = ["mallory", "root"]
        let slapd = try SlapdFixture(users: [.mailUser("alice"), mallory, .mailUser("bob")])
        defer { slapd.stop() }
        let search = DirectoryUserSearch(endpoint: slapd.endpoint())
        let refused = try await #require(throws: DirectoryUsersRefused.self) { try await search.users(matching: "(mailHost=oldmail.example.edu)") }
        #expect(refused.diagnostics.errors.map(\.code) == ["ldap.multi-valued-name"])
        #expect(refused.disposition == .permanent)
        let text = DiagnosticRenderer().render(refused.diagnostics.items)
        #expect(text.contains("directory entry '\(slapd.layout.dn(of: "mallory"))'"))
        #expect(text.contains("has 2 values of 'uid'"))
    }

    /// A uid holding an escape sequence is not a user name; printed, it is inert.
    @Test func aUidWithAnEscapeSequenceIsRefusedAndPrintedEscaped() async throws {
        let slapd = try SlapdFixture(users: [.mailUser("alice")])
        defer { slapd.stop() }
        try slapd.add(.mailUser("eve\u{1B}[2J\u{07}"))
        let search = DirectoryUserSearch(endpoint: slapd.endpoint())
        let refused = try await #require(throws: DirectoryUsersRefused.self) { try await search.users(matching: "(mailHost=oldmail.example.edu)") }
        #expect(refused.diagnostics.errors.map(\.code) == ["ldap.unsafe-user"])
        let text = DiagnosticRenderer().render(refused.diagnostics.items)
        // The one-line summary a run prints goes through the renderer too (Console.fail).
        #expect(DiagnosticRenderer().render(.error("cli.error", refused.summary)).contains("eve\\x1B[2J"))
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("has uid 'eve\\x1B[2J\\x07', which is not a portable user name"))
    }
}

@Suite struct LDAPFilterTests {
    @Test func escapesRFC4515Specials() {
        #expect(LDAPFilter.escape(#"a*(b)\c"#) == #"a\2a\28b\29\5cc"#)
        #expect(LDAPFilter.escape("é") == #"\c3\a9"#)
        #expect(LDAPFilter.namingAttribute(template: "(&(objectClass=inetMailUser)(mailUid={user}))") == "mailUid")
    }
}
