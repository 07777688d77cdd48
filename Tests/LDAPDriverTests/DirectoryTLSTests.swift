import LDAPDriver
import MailshiftTestSupport
import Steps
import Testing

@Suite struct DirectoryTLSTests {
    let step = LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1"])

    @Test func startTLSVerifiesWithTheCAFileAndRejectsWithout() async throws {
        let slapd = try SlapdFixture(users: [.mailUser("user1")], tls: true)
        defer { slapd.stop() }
        var endpoint = slapd.endpoint()
        endpoint.startTLS = true
        endpoint.caFile = slapd.tls?.caFile
        let ok = try await LDAPSetRunner().inspect(step, context: RecordingContext().context(directory: endpoint))
        #expect(ok.state == .pending)

        endpoint.caFile = nil
        let failure = try await #require(throws: LDAPFailure.self) {
            try await LDAPSetRunner().inspect(step, context: RecordingContext().context(directory: endpoint))
        }
        #expect(failure.reason == .tls)
        #expect(failure.disposition == .permanent)
    }

    @Test func ldapsVerifiesAndCanBeToldNotTo() async throws {
        let slapd = try SlapdFixture(users: [.mailUser("user1")], tls: true)
        defer { slapd.stop() }
        var endpoint = slapd.endpoint(url: slapd.slapd.tlsURL)
        endpoint.caFile = slapd.tls?.caFile
        #expect(try await LDAPSetRunner().inspect(step, context: RecordingContext().context(directory: endpoint)).state == .pending)

        endpoint.caFile = nil
        let failure = try await #require(throws: LDAPFailure.self) {
            try await LDAPSetRunner().inspect(step, context: RecordingContext().context(directory: endpoint))
        }
        #expect(failure.reason == .tls)
        #expect(failure.disposition == .permanent)
        slapd.slapd.stop()
        let down = try await #require(throws: LDAPFailure.self) {
            try await LDAPSetRunner().inspect(step, context: RecordingContext().context(directory: endpoint))
        }
        #expect(down.disposition == .transient, "a stopped server is not a TLS problem")
        try slapd.slapd.restart()

        endpoint.tlsVerify = false
        let recorder = RecordingContext()
        #expect(try await LDAPSetRunner().inspect(step, context: recorder.context(directory: endpoint)).state == .pending)
        #expect(recorder.log.contains { $0.contains("verification is off") })
    }
}
