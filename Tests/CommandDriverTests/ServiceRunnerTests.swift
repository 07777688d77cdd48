import CommandDriver
import Foundation
import MailshiftTestSupport
import Steps
import Testing

/// A real long-running process stands in for the MTA: it writes its pid file and exits on SIGTERM.
@Suite struct ServiceRunnerTests {
    static let mta = """
        trap 'rm -f "$1"; exit 0' TERM
        echo $$ > "$1.new" && mv -f "$1.new" "$1"
        while :; do sleep 1 & wait $!; done
        """

    struct Service {
        var start: StepInstance
        var stop: StepInstance
        var pidFile: String
    }

    static func service(in dir: TemporaryDirectory, host: HostEndpoint, byPidFile: Bool) throws -> Service {
        let script = dir.file("mta.sh")
        try mta.write(toFile: script, atomically: true, encoding: .utf8)
        let pidFile = dir.file("mta.pid")
        let running: [String]? = byPidFile ? nil : ["sh", "-c", "test -s \"$0\" && kill -0 $(cat \"$0\")", pidFile]
        let pid: String? = byPidFile ? pidFile : nil
        let start = makeStep(
            .serviceStart(
                ServiceParameters(
                    service: "mta", argv: ["sh", "-c", "nohup sh \"$0\" \"$1\" >/dev/null 2>&1 </dev/null &", script, pidFile],
                    running: running, pidFile: pid, wait: 10)),
            host: host)
        let stop = makeStep(
            .serviceStop(
                ServiceParameters(service: "mta", argv: ["sh", "-c", "kill $(cat \"$0\")", pidFile], running: running, pidFile: pid, wait: 10)),
            host: host)
        return Service(start: start, stop: stop, pidFile: pidFile)
    }

    static func roundTrip(_ service: Service, transport: any CommandTransport) async throws {
        let context = StepContext(dryRun: false)
        let start = ServiceRunner(.start, transport: transport)
        let stop = ServiceRunner(.stop, transport: transport)

        #expect(try await start.inspect(service.start, context: context).state == .pending)
        #expect(try await stop.inspect(service.stop, context: context).state == .done)
        let started = try await start.apply(service.start, context: context)
        #expect(started["previous"] == "stopped")
        let pid = try String(contentsOfFile: service.pidFile, encoding: .utf8)
        #expect(kill(Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1, 0) == 0)

        // Applying again changes nothing: the same process is still the one running.
        let again = try await start.apply(service.start, context: context)
        #expect(again["previous"] == "running")
        #expect(again["exit_status"] == nil)
        #expect(try String(contentsOfFile: service.pidFile, encoding: .utf8) == pid)
        #expect(try await start.inspect(service.start, context: context).state == .done)

        #expect(try await stop.inspect(service.stop, context: context).state == .pending)
        let stopped = try await stop.apply(service.stop, context: context)
        #expect(stopped["previous"] == "running")
        #expect(stopped["exit_status"] == "0")
        #expect(!FileManager.default.fileExists(atPath: service.pidFile))
        let stoppedAgain = try await stop.apply(service.stop, context: context)
        #expect(stoppedAgain["previous"] == "stopped")
        #expect(try await stop.inspect(service.stop, context: context).state == .done)
    }

    @Test(arguments: [true, false]) func stopsAndStartsLocally(byPidFile: Bool) async throws {
        let dir = try TemporaryDirectory(prefix: "svc")
        defer { dir.remove() }
        try await Self.roundTrip(try Self.service(in: dir, host: localHost, byPidFile: byPidFile), transport: HostTransport())
    }

    @Test(arguments: [true, false]) func stopsAndStartsOverSSH(byPidFile: Bool) async throws {
        try await SSHDFixture.with { sshd in
            let transport = HostTransport(ssh: SSHTransport(.init(configFile: sshd.clientConfig)))
            let service = try Self.service(in: sshd.directory, host: sshd.endpoint, byPidFile: byPidFile)
            do {
                try await Self.roundTrip(service, transport: transport)
            } catch {
                await transport.close()
                throw error
            }
            await transport.close()
        }
    }

    @Test func aServiceThatDoesNotStopFailsAfterItsWait() async throws {
        let dir = try TemporaryDirectory(prefix: "svc")
        defer { dir.remove() }
        let pidFile = dir.file("self.pid")
        // The pid file names this test process, which the stop command does not stop.
        try "\(getpid())\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let step = makeStep(.serviceStop(ServiceParameters(service: "stubborn", argv: ["true"], pidFile: pidFile, wait: 1)), host: localHost)
        do {
            _ = try await ServiceRunner(.stop, transport: LocalTransport()).apply(step, context: StepContext(dryRun: false))
            Issue.record("expected a failure")
        } catch let error as ServiceStateFailure {
            #expect(error.disposition == .transient)
            #expect(error.summary.contains("still running"))
        }
    }

    @Test func withoutACheckInspectSaysWhatItWouldRun() async throws {
        let step = makeStep(.serviceStart(ServiceParameters(service: "", argv: ["im.server", "start"], wait: 30)), host: localHost)
        let inspection = try await ServiceRunner(.start, transport: LocalTransport()).inspect(step, context: StepContext(dryRun: true))
        #expect(inspection.state == .unknown)
        #expect(inspection.reason?.contains("will run `im.server start`") == true)
        await #expect(throws: StepRefusal.self) {
            _ = try await ServiceRunner(.start, transport: LocalTransport()).apply(step, context: StepContext(dryRun: true))
        }
    }
}
