import Foundation
import Glibc
import SystemCalls
import Testing

/// The process-level wrappers with logic of their own, and the stat fields added for CommandDriver.
@Suite struct ProcessWrapperTests {
    @Test func livenessCountsThisProcessAndInitButNotAnUnusedPid() {
        #expect(ProcessLiveness.exists(getpid()))
        // pid 1 exists for every user: kill(1, 0) is 0 as root, EPERM otherwise.
        #expect(ProcessLiveness.exists(1))
        // Above any pid_max (at most 2^22), so no process has it: ESRCH.
        #expect(!ProcessLiveness.exists(Int32.max))
    }

    @Test func environmentEntriesAreThisProcessesNameValuePairs() {
        let entries = ProcessEnvironment.entries()
        #expect(!entries.isEmpty)
        #expect(entries.allSatisfy { $0.contains("=") })
        let path = entries.first { $0.hasPrefix("PATH=") }
        #expect(path == ProcessInfo.processInfo.environment["PATH"].map { "PATH=\($0)" })
    }

    @Test func kindIsDecodedFromTheModeTypeBits() {
        #expect(FileStatus.Kind(mode: UInt32(S_IFREG) | 0o644) == .regular)
        #expect(FileStatus.Kind(mode: UInt32(S_IFDIR) | 0o755) == .directory)
        #expect(FileStatus.Kind(mode: UInt32(S_IFLNK) | 0o777) == .symbolicLink)
        #expect(FileStatus.Kind(mode: UInt32(S_IFSOCK) | 0o600) == .socket)
        #expect(FileStatus.Kind(mode: UInt32(S_IFIFO) | 0o600) == .other)
    }

    @Test func statusCarriesGroupAndModificationTime() throws {
        let path = NSTemporaryDirectory() + "/status-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_234_567_890, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let status = try FileStatus.of(linkAt: path)
        #expect(status.modifiedSeconds == 1_234_567_890)
        #expect(status.group == getegid())
    }
}
