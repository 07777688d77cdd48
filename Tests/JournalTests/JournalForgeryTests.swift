import Digest
import Foundation
import Journal
import MailshiftTestSupport
import Steps
import Testing

/// Whoever can write the log but cannot read its key cannot make the journal say anything that
/// was not journaled: a forged, moved or copied line is refused, never trusted.
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

    @Test func aRecordWithARecomputedPlainSHA256IsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, graph) = try await journalWithAFailedVerify(dir)
        let payload = forgedPayload(graph)
        let plainTag = SHA256.hash(payload).hexString.prefix(32)
        var text = try lines(store)
        // Replacing the failure in the middle of the journal: refused outright.
        text.insert(plainTag + " " + payload, at: text.count - 1)
        try write(text, to: store)
        #expect(isCorrupt(verifyStatus(store, graph)))
        // As the last line it reads as a torn write: dropped, so the failure stands.
        text.remove(at: text.count - 2)
        text.append(plainTag + " " + payload)
        try write(text, to: store)
        #expect(try verifyStatus(store, graph).get() == .failed)
    }

    @Test func aRecordSealedWithAnotherKeyIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, graph) = try await journalWithAFailedVerify(dir)
        var text = try lines(store)
        // The forger's own key, chained onto the real previous tag (which is in the file).
        let previous = hexBytes(String(text[text.count - 2].prefix(32)))
        let guess = [UInt8](repeating: 7, count: 32)
        let tag = HMACSHA256.authenticate(previous + Array(forgedPayload(graph).utf8), key: guess).prefix(16)
        text.insert(Array(tag).hexString + " " + forgedPayload(graph), at: text.count - 1)
        try write(text, to: store)
        #expect(isCorrupt(verifyStatus(store, graph)))
    }

    @Test func aGenuineRecordMovedOrDroppedIsRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (store, graph) = try await journalWithAFailedVerify(dir)
        let original = try lines(store)
        // Dropping a record from the middle (the prepare step's done) breaks the chain after it.
        var dropped = original
        dropped.remove(at: 1)
        try write(dropped, to: store)
        #expect(isCorrupt(verifyStatus(store, graph)))
        // Dropping the one before the last leaves a last line that reads as torn: the same as
        // cutting the tail after a crash. The verify is pending (it runs again), never passed.
        dropped = original
        dropped.remove(at: 2)
        try write(dropped, to: store)
        #expect(try verifyStatus(store, graph).get() == .pending)
        // A genuine done line copied after the failure does not verify there either: dropped as
        // a torn tail, the failure stands.
        var copied = original
        copied.append(original[1])
        try write(copied, to: store)
        #expect(try verifyStatus(store, graph).get() == .failed)
        copied.append(original[2])
        try write(copied, to: store)
        #expect(isCorrupt(verifyStatus(store, graph)))
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
        let forged = "0123456789abcdef0123456789abcdef " + forgedPayload(graph)
        try other.run(["/bin/sh", "-c", "printf '%s\\n' \"$1\" >> \"$2\"", "sh", forged, store.logPath])
        #expect(try lines(store).last == forged)
        let result = verifyStatus(store, graph)
        guard case .failure(JournalError.untrusted(_, .writableByOthers)) = result else {
            Issue.record("a journal writable by others was read: \(result)")
            return
        }
        // Even with the mode put back, the forged line does not verify.
        chmod(store.logPath, 0o600)
        #expect(try verifyStatus(store, graph).get() == .failed)
        #expect(throws: (any Error).self) { try other.run(["/bin/cat", store.keyPath]) }
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
