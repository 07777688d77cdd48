import Foundation
import Lab
import LDAPDriver
import MailshiftTestSupport
import Steps
import Testing

@Suite struct DirectoryRestartTests {
    /// slapd stops in the middle of a batch's writes: the step fails as transient, a retry while
    /// slapd is down is transient too, and after the restart the retry (with the checkpointed
    /// outputs, as the executor hands them back) completes the batch and keeps the true previous values.
    @Test func slapdStoppedMidBatchThenRetried() async throws {
        let count = 4000
        let slapd = try SlapdFixture(userCount: count)
        defer { slapd.stop() }
        let users = (1...count).map { "user\($0)" }
        let endpoint = slapd.endpoint(window: 2)  // slow enough to stop it halfway, even on fast disks

        // Under heavy load the whole batch can finish before the poller sees it start; then the
        // scenario is tried again with another target value (the previous values stay the seed's).
        for target in ["store1.example.edu", "store2.example.edu", "store3.example.edu"] {
            let step = LDAPStepFactory.set(["mailHost=\(target)"], users: users)
            // A runner per attempt: a retried attempt must not start on the connection of a slapd
            // stopped since (reconnecting within one attempt is what this test proves).
            let runner = LDAPSetRunner(connections: 1)
            let recorder = RecordingContext()
            let before = slapd.slapd.modifyCount()
            let run = Task { try await runner.apply(step, context: recorder.context(directory: endpoint)) }
            let deadline = Date().addingTimeInterval(30)
            while slapd.slapd.modifyCount() < before + 100 && Date() < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            // A starved run may not have written at all by the deadline.
            let wroteBeforeStop = slapd.slapd.modifyCount() > before
            slapd.slapd.stop()
            guard case .failure(let error) = await run.result else {
                try slapd.slapd.restart()
                continue
            }
            let failure = try #require(error as? LDAPFailure)
            #expect(failure.disposition == .transient)

            guard let checkpoint = recorder.lastCheckpoint else {
                // Stopped before any write (a loaded machine was still looking the entries up):
                // after the restart the retried step must still complete the whole batch.
                try slapd.slapd.restart()
                _ = try await runner.apply(step, context: recorder.context(directory: endpoint))
                #expect(try await runner.inspect(step, context: recorder.context(directory: endpoint)).state == .done)
                #expect(try slapd.values("user\(count)", "mailHost") == [target])
                return
            }
            let whileDown = try await #require(throws: LDAPFailure.self) {
                try await runner.apply(step, context: recorder.context(directory: endpoint, previous: checkpoint))
            }
            #expect(whileDown.disposition == .transient)

            try slapd.slapd.restart()
            let partly = try await runner.inspect(step, context: recorder.context(directory: endpoint))
            #expect(partly.state == .pending)
            if wroteBeforeStop { #expect(partly.changes.count < count, "some entries were written before the stop") }

            let outputs = try await runner.apply(step, context: recorder.context(directory: endpoint, previous: checkpoint))
            #expect(try await runner.inspect(step, context: recorder.context(directory: endpoint)).state == .done)
            // The true previous values: what the entries held before this batch began.
            let previous = checkpoint["prev.user\(count).mailHost"]
            if target == "store1.example.edu" { #expect(previous == #"["oldmail.example.edu"]"#) }
            #expect(previous != nil)
            #expect(outputs["prev.user\(count).mailHost"] == previous)
            #expect(try slapd.values("user\(count)", "mailHost") == [target])
            return
        }
        Issue.record("the batch finished before slapd could be stopped in three tries")
    }

    @Test func hungServerTimesOutAsTransient() async throws {
        let slapd = try SlapdFixture(userCount: 2)
        defer { slapd.stop() }
        var endpoint = slapd.endpoint()
        endpoint.operationTimeout = 1
        let step = LDAPStepFactory.set(["mailHost=store1.example.edu"], users: ["user1", "user2"])
        slapd.slapd.suspend()
        let failure = try await #require(throws: LDAPFailure.self) {
            try await LDAPSetRunner().inspect(step, context: RecordingContext().context(directory: endpoint))
        }
        slapd.slapd.resume()
        #expect(failure.code == .timeout)
        #expect(failure.disposition == .transient)
        #expect(try await LDAPSetRunner().inspect(step, context: RecordingContext().context(directory: endpoint)).state == .pending)
    }
}
