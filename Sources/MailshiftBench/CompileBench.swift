import ArgumentParser
internal import CYAML
import Foundation
import PlanCompiler
import PlanModel
import YAMLSource

/// `mailshift-bench compile`: how long `mailshift check` takes on very large plans, against a
/// bare libyaml event scan of the same file (the floor: compiling is bounded by YAML parsing).
///
/// Generates, in a temporary directory:
/// - inline: `batches` × `users` users written inline in the plan (default 1,000 × 1,000);
/// - files: the same users in ten `users_file`s, split with `chunk: 1000`;
/// and both again 10× smaller, to show that time grows linearly. Prints seconds and peak RSS.
struct CompileBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Time plan compilation (check) on 1M-user plans against a bare libyaml scan.")

    @Option(help: "Batches in the inline plan.")
    var batches = 1000

    @Option(help: "Users per batch.")
    var users = 1000

    @Option(help: "Runs per measurement (the fastest is reported).")
    var runs = 3

    func run() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailshift-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        print("mailshift-bench compile: \(batches) batches × \(users) users (and 1/10 of it), best of \(runs)")
        var rows: [(name: String, users: Int, check: Timing, scan: Timing)] = []
        for scale in [10, 1] {
            let n = batches / scale
            let inline = dir.appendingPathComponent("inline-\(n).yaml").path
            let files = dir.appendingPathComponent("files-\(n).yaml").path
            try PlanGenerator.inline(batches: n, users: users, to: inline)
            try PlanGenerator.usersFiles(batches: n, users: users, in: dir.path, to: files)
            // Small plans take milliseconds: repeat them so clock granularity does not skew linearity.
            let reps = scale
            let scan = try best(reps) { try Self.scan(inline) }
            let check = try best(reps) { try Self.check(inline) }
            rows.append(("inline \(n)×\(users)", n * users, check, scan))
            let fileCheck = try best(reps) { try Self.check(files) }
            rows.append(("users_file+chunk \(n * users)", n * users, fileCheck, Timing(wall: 0, cpu: 0)))
            let size = (try? FileManager.default.attributesOfItem(atPath: inline)[.size] as? Int) ?? 0
            print("  generated \(n * users) users; inline plan \(size / 1_000_000) MB")
        }
        print("")
        print("  Times in seconds: wall clock, and CPU time (user+sys, steadier on a busy machine).")
        print("  plan                          users   check wall    cpu   libyaml scan wall    cpu   ratio(cpu)")
        for r in rows {
            let line = "  " + r.name.padding(toLength: 27, withPad: " ", startingAt: 0) + String(format: "%8d   %9.3f %7.3f", r.users, r.check.wall, r.check.cpu)
            if r.name.hasPrefix("inline") {
                print(line + String(format: "   %16.3f %7.3f   %8.2f×", r.scan.wall, r.scan.cpu, r.check.cpu / r.scan.cpu))
            } else {
                // The plan itself is tiny here; the target is absolute (≤ 1 s), not a ratio.
                print(line + "                  —       —          —")
            }
        }
        if rows.count == 4 {
            print(String(format: "\n  linearity (10× users, cpu): inline %.2f×, users_file %.2f×", rows[2].check.cpu / rows[0].check.cpu, rows[3].check.cpu / rows[1].check.cpu))
        }
        print("  peak RSS: \(Self.peakRSS()) MB")
        for r in rows where r.name.hasPrefix("inline") {
            BenchResult(name: "compile (check): \(r.name) users, CPU", value: r.check.cpu, unit: "s", baseline: r.scan.cpu,
                peer: "bare libyaml event scan", ratio: r.check.cpu / r.scan.cpu, target: "bounded by YAML parsing (ratio, lower is better)",
                met: nil).emit()
        }
        if let big = rows.last(where: { $0.name.hasPrefix("users_file") }) {
            BenchResult(name: "compile (check): \(big.users) users in users_files + chunk, wall", value: big.check.wall, unit: "s",
                baseline: nil, peer: nil, ratio: nil, target: "≤ 1 s", met: big.check.wall <= 1).emit()
        }
        if ProcessInfo.processInfo.environment["MAILSHIFT_BENCH_PHASES"] != nil {
            let inline = dir.appendingPathComponent("inline-\(batches).yaml").path
            let load = try best { _ = YAMLLoader.load(path: inline) }
            guard let doc = YAMLLoader.load(path: inline).document else { return }
            let decode = try best { _ = PlanDecoder.decode(doc) }
            print(String(format: "  phases (cpu): load %.3f s, decode %.3f s", load.cpu, decode.cpu))
        }
    }

    struct Timing {
        var wall: Double
        var cpu: Double
    }

    /// The fastest of `runs` runs, by wall clock and by CPU time (each its own minimum); each run
    /// times `repetitions` calls and reports the time of one.
    private func best(_ repetitions: Int = 1, _ body: () throws -> Void) throws -> Timing {
        var best = Timing(wall: .infinity, cpu: .infinity)
        let n = Double(max(1, repetitions))
        for _ in 0..<max(1, runs) {
            let cpu0 = Self.cpuSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<max(1, repetitions) { try body() }
            best.wall = min(best.wall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / n)
            best.cpu = min(best.cpu, (Self.cpuSeconds() - cpu0) / n)
        }
        return best
    }

    /// This process's user + system CPU time.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// What `mailshift check` does for one plan: compile (lowering the whole graph), print nothing.
    static func check(_ path: String) throws {
        let result = Compiler.compile(planAt: path)
        guard let graph = result.graph, !result.diagnostics.hasErrors else {
            throw ValidationError("generated plan did not compile: \(result.diagnostics.errors.prefix(3).map(\.message))")
        }
        precondition(graph.stepCount > 0)
    }

    /// The baseline: read the file and pull every libyaml event, building nothing.
    static func scan(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw ValidationError("libyaml init failed") }
        defer { yaml_parser_delete(&parser) }
        var events = 0
        let bytes = [UInt8](data)
        bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                let done = event.type == YAML_STREAM_END_EVENT
                yaml_event_delete(&event)
                events += 1
                if done { break }
            }
        }
        precondition(events > 0)
    }

    /// Peak resident set size of this process (VmHWM), in MB.
    static func peakRSS() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
        }
        return -1
    }
}
