import Diagnostics
import Steps

/// One line of the journal: a step transition, a gate approval, a checkpoint or a session start.
///
/// On disk (see `JournalCodec`) a record is one line, `<payload>\n`, sealed with its group, the payload being
/// tab-separated escaped fields: `<kind>\t<index>\t<fingerprint>\t<step id>[\t<detail>...]`.
/// The index is the step's position in the graph the journal is bound to (its header names that
/// graph's fingerprint); the id and the step fingerprint let a resume with a changed plan map the
/// record onto the new graph, and tell a changed step from an unchanged one.
public struct JournalRecord: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        /// Admitted to run: durable before the driver inspects or applies. A step that has this
        /// and no later record may have acted: a resume inspects it first.
        case started = 0x53  // S
        /// Finished, with outputs. Detail: how (`applied`, `found`, `approved`), then `key=value`s,
        /// then (journals written since downtime was measured) `@<unix milliseconds>` of completion.
        case done = 0x44  // D
        /// Failed. Detail: disposition, summary, hint.
        case failed = 0x46  // F
        /// Not run because a dependency failed. Detail: the root cause's step id.
        case skipped = 0x4B  // K
        /// A gate waiting for `mailshift approve`. Detail: the gate's message.
        case waiting = 0x57  // W
        /// A gate approved by a person. Detail: who, when.
        case approved = 0x41  // A
        /// Partial outputs made durable by a driver before acting. Detail: `key=value`s.
        case checkpoint = 0x43  // C
        /// Journaled as started but never begun (a graceful stop came first): back to pending.
        case released = 0x4E  // N
        /// A run or resume began. Index -1; id is the session's mode; detail: host, pid, time.
        case session = 0x52  // R
        /// The users a batch's `users_from` search found when the run started. Index -1; id is
        /// the batch; detail: the filter, the time, then the user names (see `ResolvedUsers`).
        case resolved = 0x55  // U
        /// `mailshift rollback` put the step's directory changes back: pending again (a resume
        /// applies it anew), its outputs (the original values) kept. Detail: who, when.
        case rolledBack = 0x42  // B
    }

    public var kind: Kind
    public var index: Int
    /// The step fingerprint's first 16 hex digits (64 bits: plenty to tell versions of one step apart).
    public var fingerprint: String
    public var stepID: String
    public var detail: [String]

    public init(kind: Kind, index: Int, fingerprint: String, stepID: String, detail: [String] = []) {
        self.kind = kind
        self.index = index
        self.fingerprint = fingerprint
        self.stepID = stepID
        self.detail = detail
    }

    /// The short form of a step fingerprint that records carry.
    public static func shortFingerprint(_ step: StepInstance) -> String { String(step.fingerprint.hex.prefix(16)) }

    public static func started(_ step: StepInstance, attempt: Int) -> JournalRecord {
        JournalRecord(kind: .started, index: step.index, fingerprint: shortFingerprint(step), stepID: step.id,
            detail: [String(attempt)])
    }

    /// `at`: when the step finished (unix milliseconds), which downtime is measured from.
    public static func done(_ step: StepInstance, how: String, outputs: StepOutputs, at: Int64? = nil) -> JournalRecord {
        JournalRecord(kind: .done, index: step.index, fingerprint: shortFingerprint(step), stepID: step.id,
            detail: [how] + encode(outputs) + (at.map { [CompletionTime.field($0)] } ?? []))
    }

    /// Detail: disposition, summary, hint, then (journals written since failures had codes) the
    /// code and the subject's host, user, file and byte, empty where unknown.
    public static func failed(_ step: StepInstance, _ note: FailureNote) -> JournalRecord {
        let subject = note.subject
        let byte: String = subject?.byte.map { String($0) } ?? ""
        let place: [String] = [subject?.host ?? "", subject?.user ?? "", subject?.file ?? "", byte]
        let head: [String] = [note.disposition.rawValue, note.summary, note.hint ?? "", note.code.rawValue]
        return JournalRecord(kind: .failed, index: step.index, fingerprint: shortFingerprint(step), stepID: step.id,
            detail: head + place)
    }

    public static func failed(_ step: StepInstance, disposition: FailureDisposition, summary: String, hint: String?)
        -> JournalRecord
    {
        failed(step, FailureNote(stepID: step.id, transient: disposition == .transient, summary: summary, hint: hint))
    }

    public static func skipped(_ step: StepInstance, cause: String) -> JournalRecord {
        JournalRecord(kind: .skipped, index: step.index, fingerprint: shortFingerprint(step), stepID: step.id,
            detail: [cause])
    }

    public static func waiting(_ step: StepInstance, message: String) -> JournalRecord {
        JournalRecord(kind: .waiting, index: step.index, fingerprint: shortFingerprint(step), stepID: step.id,
            detail: [message])
    }

    public static func approved(_ step: StepInstance, by who: String, at time: String, comment: String? = nil) -> JournalRecord {
        JournalRecord(kind: .approved, index: step.index, fingerprint: shortFingerprint(step), stepID: step.id,
            detail: [who, time] + (comment.map { [$0] } ?? []))
    }

    public static func checkpoint(_ step: StepInstance, outputs: StepOutputs) -> JournalRecord {
        JournalRecord(kind: .checkpoint, index: step.index, fingerprint: shortFingerprint(step), stepID: step.id,
            detail: encode(outputs))
    }

    /// `forgetOutputs`: the step's outputs were progress, not a record to keep (a command's
    /// per-user statuses): after the rollback it runs afresh. Without it (`ldap.set`) the outputs
    /// keep the values from before mailshift's first change.
    public static func rolledBack(_ step: StepInstance, by who: String, at time: String, forgetOutputs: Bool = false) -> JournalRecord {
        JournalRecord(kind: .rolledBack, index: step.index, fingerprint: shortFingerprint(step), stepID: step.id,
            detail: forgetOutputs ? [who, time, Self.forgetOutputs] : [who, time])
    }

    static let forgetOutputs = "forget-outputs"

    var forgetsOutputs: Bool { kind == .rolledBack && detail.count > 2 && detail[2] == Self.forgetOutputs }

    public static func released(_ step: StepInstance) -> JournalRecord {
        JournalRecord(kind: .released, index: step.index, fingerprint: shortFingerprint(step), stepID: step.id)
    }

    public static func session(mode: String, host: String, pid: Int32, time: String) -> JournalRecord {
        JournalRecord(kind: .session, index: -1, fingerprint: "-", stepID: mode, detail: [host, String(pid), time])
    }

    /// Outputs carried by a done or checkpoint record.
    public var outputs: StepOutputs {
        switch kind {
        case .done: Self.decode(detail.dropFirst())
        case .checkpoint: Self.decode(detail[...])
        default: StepOutputs()
        }
    }

    /// The failure a failed record carries (older journals: no code or subject).
    public var failureNote: FailureNote? {
        guard kind == .failed else { return nil }
        func field(_ i: Int) -> String? { detail.count > i && !detail[i].isEmpty ? detail[i] : nil }
        let host = field(4), user = field(5), file = field(6), byte = field(7).flatMap { Int($0) }
        let known = host != nil || user != nil || file != nil || byte != nil
        return FailureNote(
            stepID: stepID, transient: field(0) == FailureDisposition.transient.rawValue, summary: field(1) ?? "",
            hint: field(2),
            subject: known ? RunSubject(stepID: stepID, host: host, user: user, file: file, byte: byte) : nil,
            code: field(3).map { DiagnosticCode(rawValue: $0) } ?? FailureNote.genericCode)
    }

    /// When a done record's step finished; nil in journals written before it was recorded.
    public var finishedAt: Int64? {
        guard kind == .done, detail.count > 1, let last = detail.last else { return nil }
        return CompletionTime.parse(last)
    }

    /// Outputs as `key=value` fields, sorted by key so the bytes are stable.
    static func encode(_ outputs: StepOutputs) -> [String] {
        outputs.values.keys.sorted().map { key in JournalCodec.escapeKey(key) + "=" + outputs.values[key]! }
    }

    static func decode(_ fields: ArraySlice<String>) -> StepOutputs {
        var out = StepOutputs()
        for f in fields {
            guard let eq = f.firstIndex(of: "=") else { continue }
            out[JournalCodec.unescapeKey(String(f[..<eq]))] = String(f[f.index(after: eq)...])
        }
        return out
    }
}
