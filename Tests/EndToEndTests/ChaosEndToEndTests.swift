import Foundation
import Glibc
import Lab
import Testing

/// Crash chaos through the real binary: each run is killed with SIGKILL at a random moment
/// (some with slapd restarted underneath first), then resumed to completion, gates approved as
/// an administrator would; the end state must equal a clean run's (same Maildir messages with
/// the same flags and dates, same directory values) and pass `lab verify`.
///
/// Every lab is the real one (Postfix front MX and legacy MTA, Dovecot store and proxy): a kill
/// can land while a step drives a real daemon (the legacy MTA draining before it stops, a hold
/// release, a dirsync flush), and the end state is read over IMAP. No traffic runs, so a killed
/// run's end state can be compared with the clean run's byte for byte.
///
/// 4 strategies × 4 killed runs = 16 per CI run (each on a fresh real lab, ~5 s to bring up:
/// enough to land kills in every phase while keeping CI well under its budget). The kill
/// moments come from a seeded generator (printed on failure), so a failing case can be replayed.
@Suite(.labThreads) struct ChaosEndToEndTests {
    static let users = 12
    static let messages = 3
    static let runsPerStrategy = 4

    struct Moment: CustomStringConvertible {
        var killAfter: Double
        var restartSlapd: Bool
        var description: String { "kill after \(Int(killAfter * 1000)) ms\(restartSlapd ? ", slapd restarted at half-time" : "")" }
    }

    /// The store and directory of a lab (from `lab verify --json`).
    static func endState(_ lab: LabRun) throws -> String {
        try lab.mailshift(["lab", "verify", lab.dir, "--json"]).output
    }

    @Test(arguments: LabPlans.strategies)
    func killedRunsResumeToTheCleanRunsState(strategy: String) throws {
        let clean = try LabRun.upReal(users: Self.users, messages: Self.messages, seed: 21)
        defer { clean.down() }
        let started = Date()
        let cleanRun = try clean.runApproving(strategy)
        // Kill moments fall within what a whole migration takes on this machine right now (a
        // loaded CI machine is slower), so most runs die mid-way.
        let duration = max(0.3, Date().timeIntervalSince(started))
        try #require(cleanRun.status == 0, "\(cleanRun.output)")
        let reference = try Self.endState(clean)
        #expect(reference.contains("\"store\""))

        var random = SplitMix(seed: UInt64(strategy.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }.magnitude))
        var kills = 0
        var outcomes: [String] = []
        for i in 0..<Self.runsPerStrategy {
            var moment = Moment(killAfter: duration * Double(random.below(1000)) / 1000, restartSlapd: i % 3 == 1)
            var lab = try LabRun.upReal(users: Self.users, messages: Self.messages, seed: 21)
            defer { lab.down() }
            var killed = try Self.runUntilKilled(lab, strategy, moment)
            // A machine busier now than during the clean run can let a migration finish before its
            // moment: try that run again on a fresh lab with an earlier moment (twice at most).
            for _ in 0..<2 where !killed {
                outcomes.append("#\(i) \(moment): finished first")
                lab.down()
                moment.killAfter /= 3
                lab = try LabRun.upReal(users: Self.users, messages: Self.messages, seed: 21)
                killed = try Self.runUntilKilled(lab, strategy, moment)
            }
            if killed { kills += 1 }
            outcomes.append("#\(i) \(moment): \(killed ? "killed" : "finished first")")
            // As an administrator would after a crash: just resume (the dead executor's lock is
            // taken over); `run` when no journal was written yet.
            var finish = try lab.runApproving(strategy, resume: true)
            if finish.output.contains("nothing to resume") { finish = try lab.runApproving(strategy) }
            #expect(finish.status == 0, "\(strategy) #\(i) (\(moment), killed: \(killed)): \(finish.output)")
            let state = try Self.endState(lab)
            #expect(state == reference, "\(strategy) #\(i) (\(moment)): the end state differs from a clean run's")
            let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", strategy])
            #expect(verify.status == 0, "\(strategy) #\(i) (\(moment)): \(verify.output)")
        }
        // The moments fall inside a migration's duration, so most runs really die mid-way.
        #expect(kills >= Self.runsPerStrategy / 2, "only \(kills) of \(Self.runsPerStrategy) runs were killed before finishing (a clean run took \(duration) s): \(outcomes)")
    }

    /// Runs (then resumes, approving gates) until `moment.killAfter` has passed, then SIGKILLs the
    /// executor wherever it is. Returns whether a process was actually killed (false when the
    /// whole migration finished first).
    static func runUntilKilled(_ lab: LabRun, _ strategy: String, _ moment: Moment) throws -> Bool {
        let start = Date()
        var restarted = !moment.restartSlapd
        var command = "run"
        for _ in 0..<12 {
            let pid = try lab.start([command, lab.plan(strategy)])
            command = "resume"
            var status: Int32 = 0
            while true {
                let elapsed = Date().timeIntervalSince(start)
                if !restarted && elapsed >= moment.killAfter / 2 {
                    restarted = true
                    _ = try lab.mailshift(["lab", "slapd", "restart", "--dir", lab.dir])
                }
                if elapsed >= moment.killAfter {
                    kill(pid, SIGKILL)
                    _ = LabRun.wait(pid)
                    return true
                }
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid { break }
                usleep(5_000)
            }
            let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            guard code == 3 else { return false }
            for gate in try lab.gates(strategy) { _ = try lab.mailshift(["approve", lab.plan(strategy), gate]) }
        }
        return false
    }
}

/// SplitMix64, for reproducible kill moments.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func below(_ n: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(max(1, n)))
    }
}
