import Foundation
import SystemCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one argv as a child process with `posix_spawnp` (never through a shell), feeding optional
/// stdin, capturing bounded stdout/stderr tails, and killing it at a deadline.
///
/// How it works: the child gets its own process group, so a timeout kills what it started too
/// (SIGTERM, then SIGKILL after a grace period). One blocking poll loop reads both pipes; when the
/// pipes go idle it checks whether the child already exited, so a daemon the child left behind
/// holding our pipes open cannot make the caller wait forever.
struct ChildProcess {
    struct Result: Sendable {
        /// Exit status, or 128 + signal number when killed by a signal.
        var status: Int32
        var stdout: Data
        var stderr: Data
        var timedOut: Bool
        var cancelled = false
    }

    enum SpawnError: Error {
        case invalidArgument(String), spawn(Int32)
        /// The task was cancelled (a second Ctrl-C): the child's process group was killed.
        case cancelled
    }

    var argv: [String]
    var stdin: Data?
    /// Seconds; 0 or less means no limit.
    var timeout: Double
    var captureLimit: Int
    /// What the child's environment leaves out (the plan's secret variables).
    var environment: ChildEnvironment = .inherited
    /// Seconds between SIGTERM and SIGKILL on timeout.
    var killGrace: Double = 2

    /// Runs the child on a thread of its own: the supervision loop blocks in poll(2), which must
    /// not hold a cooperative-pool thread, nor one of GCD's few global worker threads (on Linux
    /// they are not replaced while blocked, so parallel commands would serialise). A cancelled
    /// task kills the child's process group and waits for that before returning.
    func run() async throws(SpawnError) -> Result {
        let job = self
        let outcome: Swift.Result<Result, SpawnError>
        do {
            outcome = try await ThreadedWork.run(onCancel: .waitForWork) { flag in job.runBlocking(cancel: flag) }
        } catch {
            throw .cancelled
        }
        let result = try outcome.get()
        if result.cancelled { throw .cancelled }
        return result
    }

    func runBlocking(cancel: CancelFlag = CancelFlag()) -> Swift.Result<Result, SpawnError> {
        guard argv.first?.isEmpty == false else { return .failure(.invalidArgument("empty argv")) }
        guard !argv.contains(where: { $0.utf8.contains(0) }) else {
            return .failure(.invalidArgument("an argument contains a NUL byte"))
        }
        ChildSpawn.ignoreSIGPIPE
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        var inPipe: [Int32] = [-1, -1]
        do {
            try Descriptor.pipeCloexec(&outPipe)
        } catch {
            return .failure(.spawn(error.code))
        }
        do {
            try Descriptor.pipeCloexec(&errPipe)
        } catch {
            close(outPipe[0]); close(outPipe[1])
            return .failure(.spawn(error.code))
        }
        if stdin != nil {
            do {
                try Descriptor.pipeCloexec(&inPipe)
            } catch {
                for fd in outPipe + errPipe { close(fd) }
                return .failure(.spawn(error.code))
            }
        }

        let spawned = ChildSpawn.start(
            argv, stdin: stdin != nil ? .descriptor(inPipe[0]) : .null, stdout: .descriptor(outPipe[1]), stderr: .descriptor(errPipe[1]),
            environment: environment.withheld.isEmpty ? nil : environment.entries())
        close(outPipe[1])
        close(errPipe[1])
        if stdin != nil { close(inPipe[0]) }
        guard case .success(let pid) = spawned else {
            close(outPipe[0]); close(errPipe[0])
            if stdin != nil { close(inPipe[1]) }
            if case .failure(let e) = spawned { return .failure(.spawn(e.code)) }
            return .failure(.spawn(EINVAL))
        }
        return .success(supervise(pid: pid, out: outPipe[0], err: errPipe[0], input: stdin != nil ? inPipe[1] : -1, cancel: cancel))
    }

    private func supervise(pid: pid_t, out: Int32, err: Int32, input: Int32, cancel: CancelFlag) -> Result {
        var outTail = OutputTail(limit: captureLimit)
        var errTail = OutputTail(limit: captureLimit)
        var fds = (out: out, err: err, input: input)
        for fd in [out, err, input] where fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        let deadline = timeout > 0 ? Monotonic.now + timeout : .infinity
        let pending = stdin ?? Data()
        var written = 0
        var idleWaitMs: Int32 = 10
        var rawStatus: Int32 = 0
        var reaped = false
        var timedOut = false
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
        defer { buffer.deallocate() }

        func drain(_ fd: inout Int32, into tail: inout OutputTail) {
            while fd >= 0 {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n > 0 {
                    tail.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(fd)
                    fd = -1
                } else if errno == EAGAIN {
                    return
                }
            }
        }

        if fds.input >= 0 && pending.isEmpty { close(fds.input); fds.input = -1 }
        while fds.out >= 0 || fds.err >= 0 {
            let remaining = deadline - Monotonic.now
            if remaining <= 0 || cancel.isSet { timedOut = true; break }
            var polls: [pollfd] = []
            if fds.out >= 0 { polls.append(pollfd(fd: fds.out, events: Int16(POLLIN), revents: 0)) }
            if fds.err >= 0 { polls.append(pollfd(fd: fds.err, events: Int16(POLLIN), revents: 0)) }
            if fds.input >= 0 { polls.append(pollfd(fd: fds.input, events: Int16(POLLOUT), revents: 0)) }
            let waitMs = Int32(min(Double(idleWaitMs), (remaining * 1000).rounded(.up)))
            let n = poll(&polls, nfds_t(polls.count), waitMs)
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            if n == 0 {
                // Idle: if the child is gone, whoever still holds the pipes is not our business.
                if waitpid(pid, &rawStatus, WNOHANG) == pid {
                    reaped = true
                    drain(&fds.out, into: &outTail)
                    drain(&fds.err, into: &errTail)
                    break
                }
                idleWaitMs = min(idleWaitMs * 2, 250)
                continue
            }
            for p in polls where p.revents != 0 {
                if p.fd == fds.out { drain(&fds.out, into: &outTail) }
                else if p.fd == fds.err { drain(&fds.err, into: &errTail) }
                else if p.fd == fds.input {
                    let w = pending.withUnsafeBytes { raw in
                        write(fds.input, raw.baseAddress! + written, min(raw.count - written, 65536))
                    }
                    if w > 0 { written += w }
                    if (w < 0 && errno != EAGAIN && errno != EINTR) || written >= pending.count {
                        close(fds.input)
                        fds.input = -1
                    }
                }
            }
        }
        for fd in [fds.out, fds.err, fds.input] where fd >= 0 { close(fd) }

        if !reaped && !timedOut {
            // Pipes closed: the child is exiting; wait for it, still bounded by the deadline.
            let waited = ChildSpawn.wait(pid, deadline: deadline, grace: killGrace, cancel: cancel)
            // A child already reaped elsewhere reads as status 0, as it always has here.
            (rawStatus, timedOut) = (waited.raw ?? 0, waited.killed)
        } else if timedOut {
            rawStatus = ChildSpawn.end(pid, grace: killGrace)
        }
        return Result(
            status: Self.decode(rawStatus), stdout: outTail.data, stderr: errTail.data, timedOut: timedOut && !cancel.isSet,
            cancelled: cancel.isSet)
    }

    /// Exit code, or 128 + signal (the shell's convention).
    static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
}

/// Seconds on the monotonic clock.
enum Monotonic {
    static var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
