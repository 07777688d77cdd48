import Lab
import LDAPDriver
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
}

@Suite struct LDAPFilterTests {
    @Test func escapesRFC4515Specials() {
        #expect(LDAPFilter.escape(#"a*(b)\c"#) == #"a\2a\28b\29\5cc"#)
        #expect(LDAPFilter.escape("é") == #"\c3\a9"#)
        #expect(LDAPFilter.namingAttribute(template: "(&(objectClass=inetMailUser)(mailUid={user}))") == "mailUid")
    }
}
