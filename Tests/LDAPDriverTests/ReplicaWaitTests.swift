import Foundation
import Lab
import LDAPDriver
import MailshiftTestSupport
import Steps
import Testing

/// `directory.replicas`: an `ldap.set` step is done only when every replica reads back its
/// values; a replica that does not catch up fails the step naming it. Two real slapd: the
/// provider, and a second server standing in for a consumer (the test replicates by hand).
@Suite struct ReplicaWaitTests {
    @Test func aLaggingReplicaFailsTheStepByName() async throws {
        let provider = try SlapdFixture(userCount: 2)
        defer { provider.stop() }
        let replica = try SlapdFixture(userCount: 2)
        defer { replica.stop() }
        var endpoint = provider.endpoint()
        endpoint.replicas = [replica.slapd.url]
        endpoint.replicaTimeout = 2
        let step = LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1", "user2"])
        let started = Date()
        await #expect {
            _ = try await LDAPSetRunner().apply(step, context: RecordingContext().context(directory: endpoint))
        } throws: { error in
            guard let lag = error as? ReplicaLag else { return false }
            return lag.url == replica.slapd.url
                && lag.summary.contains("has not caught up after 2 s: uid=user1,ou=People,dc=example,dc=edu: mailHost is oldmail.example.edu, expected store1.example.edu")
        }
        #expect(Date().timeIntervalSince(started) >= 2)
        #expect(try provider.values("user1", "mailHost") == ["store1.example.edu"], "the provider was written")
    }

    @Test func theStepWaitsUntilTheReplicaHasTheChange() async throws {
        let provider = try SlapdFixture(userCount: 2)
        defer { provider.stop() }
        let replica = try SlapdFixture(userCount: 2)
        defer { replica.stop() }
        var endpoint = provider.endpoint()
        endpoint.replicas = [replica.slapd.url]
        endpoint.replicaTimeout = 20
        let step = LDAPStepFactory.set(["mailDeliveryOption=hold"], users: ["user1", "user2"])
        // "Replication" arrives a second later.
        let copier = Task.detached {
            try await Task.sleep(nanoseconds: 1_000_000_000)
            for user in ["user1", "user2"] { try replica.replace(user, "mailDeliveryOption", "hold") }
        }
        let started = Date()
        let outputs = try await LDAPSetRunner().apply(step, context: RecordingContext().context(directory: endpoint))
        try await copier.value
        #expect(outputs[LDAPSetOutputs.written] == "2")
        #expect(Date().timeIntervalSince(started) >= 1, "it returned before the replica had the change")
        #expect(try replica.values("user2", "mailDeliveryOption") == ["hold"])
    }

    @Test func aStoppedReplicaTimesOutWithItsName() async throws {
        let provider = try SlapdFixture(userCount: 1)
        defer { provider.stop() }
        let replica = try SlapdFixture(userCount: 1)
        let url = replica.slapd.url
        replica.stop()
        var endpoint = provider.endpoint()
        endpoint.replicas = [url]
        endpoint.replicaTimeout = 1
        await #expect {
            _ = try await LDAPSetRunner().apply(
                LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1"]), context: RecordingContext().context(directory: endpoint))
        } throws: { ($0 as? ReplicaLag)?.summary.contains("replica \(url) has not caught up after 1 s: cannot read it") == true }
    }
}

/// The same wait against a real syncrepl consumer of the provider (the lab's replication).
@Suite struct SyncreplReplicaTests {
    /// Until the consumer has received the tree (bounded).
    static func waitForTree(_ consumer: SlapdFixture, user: String) async throws {
        for _ in 0..<100 {
            if (try? consumer.values(user, "mailHost")) != nil { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        Issue.record("the consumer never received the tree")
    }

    @Test func theStepWaitsForTheConsumer_andAStoppedConsumerTimesOutByName() async throws {
        let provider = try SlapdFixture(users: (1...3).map { DirectoryUser.mailUser("user\($0)") }, replication: .provider)
        defer { provider.stop() }
        let consumer = try SlapdFixture(users: [], replication: .consumer(of: provider.slapd.url))
        defer { consumer.stop() }
        try await Self.waitForTree(consumer, user: "user3")
        var endpoint = provider.endpoint()
        endpoint.replicas = [consumer.slapd.url]
        endpoint.replicaTimeout = 30
        let outputs = try await LDAPSetRunner().apply(
            LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1", "user2", "user3"]),
            context: RecordingContext().context(directory: endpoint))
        #expect(outputs[LDAPSetOutputs.written] == "3")
        // When the step returns, the consumer already answers with the new value.
        #expect(try consumer.values("user3", "mailHost") == ["store1.example.edu"])

        let url = consumer.slapd.url
        consumer.slapd.stop()
        endpoint.replicaTimeout = 1
        await #expect {
            _ = try await LDAPSetRunner().apply(
                LDAPStepFactory.set(["mailDeliveryOption=hold"], users: ["user1"]), context: RecordingContext().context(directory: endpoint))
        } throws: { ($0 as? ReplicaLag)?.summary.hasPrefix("replica \(url) has not caught up after 1 s") == true }
        #expect(try provider.values("user1", "mailDeliveryOption") == ["hold"])
    }
}
