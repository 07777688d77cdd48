import Digest
import Foundation
import Journal
import MailshiftTestSupport
import Steps
import Testing

/// Whoever can write the log but cannot read its key cannot make the journal say anything that
/// was not journaled: a forged, moved or copied group of lines is refused, never trusted.
@Suite struct JournalForgeryTests {
    func header(_ graph: StepGraph) -> JournalHeader {
        JournalHeader(graphFingerprint: graph.fingerprint.hex, planName: graph.planName, stepCount: graph.stepCount)
    }

    /// A journal where u0's import is done and its verify failed (retire must not run).
    func journalWithAFailedVerify(_ dir: TemporaryDirectory) async throws -> (FileJournalStore, StepGraph) {
        let graph = sampleGraph()
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: header(graph))
        try await store.append([.done(graph.step(0), how: "applied", outputs: [:])])
        try await store.append([.done(graph.step(1), how: "applied", outputs: [:])])
        try await store.append([.failed(verifyStep(graph), disposition: .permanent, summary: "3 messages differ", hint: nil)])
        store.close()
        return (store, graph)
    }

    func verifyStep(_ graph: StepGraph) -> StepInstance {
        (0..<graph.stepCount).map(graph.step).first { $0.id == "pilot/verify/u0" }!
    }

    /// The payload a forger wants the journal to hold: u0's verify passed.
    func forgedPayload(_ graph: StepGraph) -> String {
        let step = verifyStep(graph)
        return "D\t\(step.index)\t\(JournalRecord.shortFingerprint(step))\t\(step.id)\tapplied"
    }

    func lines(_ store: FileJournalStore) throws -> [String] {
        try String(contentsOfFile: store.logPath, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], to store: FileJournalStore) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: store.logPath, atomically: false, encoding: .utf8)
    }

    /// The verify step's status after replaying `store`, or the error replaying threw.
    func verifyStatus(_ store: FileJournalStore, _ graph: StepGraph) -> Result<StepStatus, any Error> {
        Result { try JournalState.load(from: FileJournalStore(directory: store.directory), for: graph) }
            .map { $0.status[verifyStep(graph).index] }
    }

    func isCorrupt(_ result: Result<StepStatus, any Error>) -> Bool {
        if case .failure(JournalError.corrupt) = result { return true }
        return false
    }

    @Test func theUnforgedJournalSaysTheVerifyFailed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, graph) = try await journalWithAFailedVerify(dir)
        #expect(try verifyStatus(store, graph).get() == .failed)
    }

    /// The journal's lines are: 0 header, 1 its seal, 2 prepare's done, 3 seal, 4 import's done,
    /// 5 seal, 6 verify's failure, 7 seal.
    func sealTag(_ line: String) -> [UInt8] { hexBytes(String(line.dropFirst())) }

    /// A forged group: the wanted line and a seal computed with `tag` (the forger's best guess).
    func forgedGroup(_ payload: String, tag: [UInt8]) -> [String] { [payload, "~" + Array(tag.prefix(16)).hexString] }

    @Test func aGroupSealedWithARecomputedPlainSHA256IsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, graph) = try await journalWithAFailedVerify(dir)
        let payload = forgedPayload(graph)
        let original = try lines(store)
        // SHA-256 over what a seal covers, without a key: what a forger can compute.
        func plain(after sealLine: String) -> [String] {
            forgedGroup(payload, tag: SHA256.hash(sealTag(sealLine) + Array((payload + "\n").utf8)))
        }
        // Before the failure, in the middle of the journal: refused outright.
        var text = Array(original[...5]) + plain(after: original[5]) + original[6...]
        try write(text, to: store)
        #expect(isCorrupt(verifyStatus(store, graph)))
        // After it, as the last group, it reads as a torn write: dropped, so the failure stands.
        text = original + plain(after: original[7])
        try write(text, to: store)
        #expect(try verifyStatus(store, graph).get() == .failed)
        // In place of the failure: dropped too; the verify runs again, it is never taken as passed.
        text = Array(original[...5]) + plain(after: original[5])
        try write(text, to: store)
        #expect(try verifyStatus(store, graph).get() == .pending)
    }

    @Test func aGroupSealedWithAnotherKeyIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, graph) = try await journalWithAFailedVerify(dir)
        let original = try lines(store)
        // The forger's own key, chained onto the real previous seal (which is in the file).
        let guess = [UInt8](repeating: 7, count: 32)
        let tag = HMACSHA256.authenticate(sealTag(original[5]) + Array((forgedPayload(graph) + "\n").utf8), key: guess)
        try write(Array(original[...5]) + forgedGroup(forgedPayload(graph), tag: tag) + original[6...], to: store)
        #expect(isCorrupt(verifyStatus(store, graph)))
    }

    @Test func aGenuineGroupMovedOrDroppedIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, graph) = try await journalWithAFailedVerify(dir)
        let original = try lines(store)
        // Dropping a group from the middle (prepare's done) breaks the chain after it.
        try write(Array(original[...1]) + original[4...], to: store)
        #expect(isCorrupt(verifyStatus(store, graph)))
        // A genuine group copied elsewhere does not verify there: refused in the middle...
        try write(Array(original[...1]) + original[4...5] + original[2...], to: store)
        #expect(isCorrupt(verifyStatus(store, graph)))
        // ...and dropped as a torn tail at the end, so the failure stands.
        try write(original + original[4...5], to: store)
        #expect(try verifyStatus(store, graph).get() == .failed)
        // A genuine line slipped into a sealed group breaks that group's seal.
        try write(Array(original[...3]) + [original[4], original[4]] + original[5...], to: store)
        #expect(isCorrupt(verifyStatus(store, graph)))
        // Dropping the last group is cutting the tail, as a crash does: the verify runs again.
        try write(Array(original[...5]), to: store)
        #expect(try verifyStatus(store, graph).get() == .pending)
    }

    @Test func aJournalWhoseKeyIsGoneIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, graph) = try await journalWithAFailedVerify(dir)
        unlink(store.keyPath)
        guard case .failure(JournalError.untrusted(_, .keyMissing)) = verifyStatus(store, graph) else {
            Issue.record("a journal without its key was read")
            return
        }
        // A new key is not made over an existing journal (by a new run, a new process).
        let next = FileJournalStore(directory: store.directory)
        #expect(throws: JournalError.self) { try next.beginAppending(header: header(graph)) }
        #expect(!FileManager.default.fileExists(atPath: store.keyPath))
    }

    @Test func aFormatOneJournalIsRefusedAsUnkeyed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let graph = sampleGraph()
        let store = FileJournalStore(directory: dir.file("state"))
        try store.beginAppending(header: header(graph))
        store.close()
        // What mailshift wrote before keyed tags: the old 8-digit checksum, recomputable by anyone.
        let head = "H\tmailshift-journal\t1\t\(graph.fingerprint.hex)\t\(graph.planName)\t\(graph.stepCount)"
        try write([formatOneLine(head), formatOneLine(forgedPayload(graph))], to: store)
        guard case .failure(JournalError.unkeyed(let path)) = verifyStatus(store, graph) else {
            Issue.record("a format-1 journal was read")
            return
        }
        #expect(path == store.logPath)
        #expect(throws: JournalError.self) { _ = try store.readHeader() }
        #expect(JournalError.unkeyed(path: path).hint?.contains("move the state directory aside") == true)
    }

    @Test func aJournalForgedByAnotherUserIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let other = try UnprivilegedUser()
        defer { other.remove() }
        chmod(dir.path, 0o755)  // whatever umask another test set: the other user must get in
        let (store, graph) = try await journalWithAFailedVerify(dir)
        // Someone given write access to the log (its mode loosened) rewrites it with their own
        // forged line; they cannot read the key.
        chmod(store.directory, 0o711)
        chmod(store.logPath, 0o622)
        let forged = forgedGroup(forgedPayload(graph), tag: Array(repeating: 0xAB, count: 16))
        try other.run(["/bin/sh", "-c", "printf '%s\\n%s\\n' \"$1\" \"$2\" >> \"$3\"", "sh", forged[0], forged[1], store.logPath])
        #expect(try lines(store).suffix(2) == forged[...])
        let result = verifyStatus(store, graph)
        guard case .failure(JournalError.untrusted(_, .writableByOthers)) = result else {
            Issue.record("a journal writable by others was read: \(result)")
            return
        }
        // Even with the mode put back, the forged group does not verify.
        chmod(store.logPath, 0o600)
        #expect(try verifyStatus(store, graph).get() == .failed)
        #expect(throws: (any Error).self) { try other.run(["/bin/cat", store.keyPath]) }
    }

    @Test func eachJournalHasItsOwnRandomKey() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var keys: Set<Data> = []
        for name in ["a", "b", "c"] {
            let store = FileJournalStore(directory: dir.file(name))
            try store.beginAppending(header: header(sampleGraph()))
            store.close()
            let key = try #require(FileManager.default.contents(atPath: store.keyPath))
            #expect(key.count == 32)
            keys.insert(key)
        }
        #expect(keys.count == 3)
    }

    @Test func aHeaderWhoseSealIsTornReadsAsNoJournalButADamagedOneIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, graph) = try await journalWithAFailedVerify(dir)
        let original = try lines(store)
        try write([original[0], "~" + String(repeating: "0", count: 32)], to: store)
        #expect(try store.readHeader() == nil)
        #expect(try store.read(full: true) { _ in }.header == nil)
        try write([original[0], "~" + String(repeating: "0", count: 32)] + original[2...], to: store)
        #expect(throws: JournalError.self) { _ = try store.readHeader() }
        #expect(isCorrupt(verifyStatus(store, graph)))
        try write(original, to: store)
        #expect(try store.readHeader() == header(graph))
    }

    func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    /// A line as format 1 wrote it (its multiply-xorshift checksum).
    func formatOneLine(_ payload: String) -> String {
        let bytes = Array(payload.utf8)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            var w: UInt64 = 0
            for k in 0..<8 { w |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        while i < bytes.count {
            h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3
            i += 1
        }
        h ^= h >> 32
        let sum = UInt32(truncatingIfNeeded: h)
        let hex = String(sum, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex + " " + payload
    }
}
