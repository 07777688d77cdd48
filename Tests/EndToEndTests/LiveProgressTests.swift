import Foundation
import Glibc
import Lab
import Testing

/// `run` on a terminal: stderr on a real pseudo-terminal, so the live progress block is drawn,
/// erased before each log line and erased for good at the end, with the run's result intact.
@Suite(.labThreads) struct LiveProgressTests {
    /// A pseudo-terminal pair: the master's descriptor and the slave's path. (Glibc declares the
    /// pty calls only under `_XOPEN_SOURCE`, which Swift's Glibc module does not see.)
    static func openTerminal() throws -> (master: Int32, slave: String) {
        func symbol<T>(_ name: String, _ type: T.Type) throws -> T {
            let sym = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name), "\(name) in libc")
            return unsafeBitCast(sym, to: type)
        }
        let openpt = try symbol("posix_openpt", (@convention(c) (Int32) -> Int32).self)
        let grant = try symbol("grantpt", (@convention(c) (Int32) -> Int32).self)
        let unlock = try symbol("unlockpt", (@convention(c) (Int32) -> Int32).self)
        let name = try symbol("ptsname", (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
        let master = openpt(O_RDWR | O_NOCTTY)
        try #require(master >= 0, "posix_openpt")
        try #require(grant(master) == 0 && unlock(master) == 0, "grantpt/unlockpt")
        let slave = try #require(name(master), "ptsname")
        return (master, String(cString: slave))
    }

    /// Runs `argv` with stdout to `stdout` and stderr on the terminal; returns its exit status
    /// and everything the terminal received.
    static func runOnTerminal(_ argv: [String], stdout: String) throws -> (status: Int32, screen: String) {
        let (master, slave) = try openTerminal()
        defer { close(master) }
        let pid = try LabProcess.spawn(argv[0], Array(argv.dropFirst()), output: stdout, errors: slave, truncate: true)
        // Read the terminal while the run goes (a full pty buffer would block the child).
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var status: Int32 = 0
        var exited = false
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 1, 100) > 0 {
                let n = read(master, &buffer, buffer.count)
                if n > 0 { received.append(contentsOf: buffer[0..<n]) } else if exited { break }
            } else if exited {
                break
            }
            if !exited && waitpid(pid, &status, WNOHANG) == pid { exited = true }
        }
        if !exited {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (code, String(decoding: received, as: UTF8.self))
    }

    @Test func progressIsDrawnAndErasedOnATerminal() throws {
        let lab = try LabRun.up(users: 24, messages: 150)
        defer { lab.down() }
        let exe = try #require(LabRun.mailshift)
        let out = lab.dir + ".stdout"
        defer { unlink(out) }
        let (status, screen) = try Self.runOnTerminal([exe, "run", lab.plan("simple")], stdout: out)
        #expect(status == 0 || status == 3, "\(screen.suffix(2000))")  // 3: stopped at a gate
        let up = "\u{1B}[1A", clear = "\u{1B}[2K"
        // The live block was on screen (a progress line with a count) and was erased.
        #expect(screen.contains("batch "), "no live progress line: \(screen.suffix(2000))")
        #expect(screen.contains(up + clear), "the live block was never erased")
        // At the end nothing of it is left: after the last progress line drawn, an erase follows.
        if let lastDraw = screen.range(of: " done", options: .backwards) {
            #expect(screen[lastDraw.upperBound...].contains(up + clear), "the last live block stayed on screen")
        }
        // Every line printed above the block is whole: erase sequences come only before its
        // carriage return, never inside the text.
        for line in screen.split(separator: "\n") {
            let text = line.split(separator: "\r", omittingEmptySubsequences: false).last ?? ""
            #expect(!text.contains("\u{1B}"), "a line mixed with control sequences: \(line.debugDescription)")
        }
        if status == 3 {
            let rest = try lab.runApproving("simple", resume: true)
            #expect(rest.status == 0, "\(rest.output)")
        }
        let verify = try lab.mailshift(["lab", "verify", lab.dir, "--strategy", "simple"])
        #expect(verify.status == 0, "\(verify.output)")
    }
}
