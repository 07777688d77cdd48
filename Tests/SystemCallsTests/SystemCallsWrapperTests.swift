import Foundation
import Glibc
import SystemCalls
import Testing

/// The wrappers that hold logic of their own: index arithmetic, flag choice, stat decoding.
@Suite struct SystemCallsWrapperTests {
    @Test func byteSearchFindsFromTheStartItIsGiven() {
        let bytes: [UInt8] = Array("ab\ncd\n".utf8)
        bytes.withUnsafeBytes { raw in
            #expect(ByteSearch.firstIndex(of: 0x0A, in: raw, from: 0) == 2)
            #expect(ByteSearch.firstIndex(of: 0x0A, in: raw, from: 2) == 2)
            #expect(ByteSearch.firstIndex(of: 0x0A, in: raw, from: 3) == 5)
            #expect(ByteSearch.firstIndex(of: 0x0A, in: raw, from: 6) == nil)
            #expect(ByteSearch.firstIndex(of: UInt8(ascii: "z"), in: raw, from: 0) == nil)
        }
        #expect(ByteSearch.firstIndex(of: 0x0A, in: UnsafeRawBufferPointer(start: nil, count: 0), from: 0) == nil)
    }

    @Test func fileStatusTellsKindsAndNeverFollowsALink() throws {
        let dir = try Scratch()
        let file = dir.path + "/f"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("12345".utf8), attributes: [.posixPermissions: 0o640]))
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/link", withDestinationPath: dir.path)

        let regular = try FileStatus.of(linkAt: file)
        #expect(regular.kind == .regular)
        #expect(regular.size == 5)
        #expect(regular.permissions == 0o640)
        #expect(regular.owner == ProcessIdentity.effectiveUser)
        #expect(try FileStatus.of(linkAt: dir.path).kind == .directory)
        #expect(try FileStatus.of(linkAt: dir.path + "/link").kind == .symbolicLink)
        #expect(try FileStatus.of(followingLinksAt: dir.path + "/link").kind == .directory)
        #expect(throws: Errno(ENOENT)) { try FileStatus.of(linkAt: dir.path + "/missing") }
    }

    @Test func openReadOnlyReadsThroughTheDescriptor() throws {
        let dir = try Scratch()
        let file = dir.path + "/f"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("hello".utf8)))
        let fd = try Descriptor.openReadOnly(file)
        defer { Descriptor.close(fd) }
        #expect(try FileStatus.of(descriptor: fd).kind == .regular)
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = try buffer.withUnsafeMutableBytes { try Descriptor.read(fd, into: $0.baseAddress!, count: $0.count) }
        #expect(Array(buffer[0..<n]) == Array("hello".utf8))
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        #expect(throws: Errno(ENOENT)) { try Descriptor.openReadOnly(dir.path + "/missing") }
    }

    /// Without O_NONBLOCK this open would wait for a writer for ever.
    @Test func openReadOnlyNonBlockingDoesNotWaitOnAFIFO() throws {
        let dir = try Scratch()
        let fifo = dir.path + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let fd = try Descriptor.openReadOnly(fifo, nonBlocking: true)
        defer { Descriptor.close(fd) }
        #expect(try FileStatus.of(descriptor: fd).kind == .other)
        #expect(fcntl(fd, F_GETFL) & O_NONBLOCK != 0)
    }

    @Test func freeSpaceIsReportedForAnExistingPathOnly() throws {
        #expect(try FileSystemSpace.available(at: NSTemporaryDirectory()) >= 0)
        #expect(throws: Errno(ENOENT)) { try FileSystemSpace.available(at: "/nonexistent-\(getpid())") }
    }

    @Test func errnoDescribesItselfWithStrerror() {
        #expect(Errno(ENOENT).description == "No such file or directory")
    }
}

/// A private directory removed when the test ends.
private final class Scratch {
    let path: String
    init() throws {
        var template = Array((NSTemporaryDirectory() + "/syscalls-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw Errno.current }
        path = String(cString: p)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct ProcessIdentityTests {
    /// root is in every password database; a name with a slash is in none.
    @Test func accountsAreLookedUpBothWays() {
        #expect(ProcessIdentity.accountName(of: 0) == "root")
        #expect(ProcessIdentity.account(named: "root").map { [$0.uid, $0.gid] } == [0, 0])
        #expect(ProcessIdentity.account(named: "no/such/user") == nil)
    }
}

@Suite struct EntropyTests {
    /// More than getentropy's 256 bytes a call: every chunk is filled, the last one too.
    @Test func fillsEveryChunk() throws {
        let bytes = try #require(Entropy.bytes(600))
        #expect(bytes.count == 600)
        for chunk in stride(from: 0, to: 600, by: 100) {
            #expect(bytes[chunk..<chunk + 100].contains { $0 != 0 })
        }
        #expect(Entropy.bytes(0) == [])
    }
}
