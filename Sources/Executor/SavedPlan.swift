import Foundation

/// A dry-run's preview saved to a file (`mailshift run PLAN --dry-run --out FILE`), bound to the
/// compiled graph's fingerprint and to what the inspections read: LDAP values (in the change
/// lines) and source identities (`observed`). `mailshift run PLAN --plan FILE` applies it only
/// while a fresh preview is the same, as `terraform apply PLANFILE` does.
public struct SavedPlan: Codable, Sendable, Hashable {
    public static let kindName = "mailshift.saved-plan"

    public var format = 1
    public var kind = SavedPlan.kindName
    /// The plan file as given to the dry-run (shown in messages, not compared).
    public var plan: String
    /// The graph fingerprint (hex): any change to the plan's steps, parameters or users changes it.
    public var fingerprint: String
    /// When the preview was made (ISO 8601, UTC).
    public var created: String
    public var preview: PreviewDocument

    public init(plan: String, fingerprint: String, created: Date, preview: PreviewDocument) {
        self.plan = plan
        self.fingerprint = fingerprint
        self.created = ISO8601DateFormatter().string(from: created)
        self.preview = preview
    }

    /// What differs between this saved preview and `now`, made for the same plan. `drift` empty:
    /// the saved plan may be applied. `arrivals`: mailboxes that only grew since (new mail, same
    /// file), which the plan's imports take in as they would have; a mail system that stays live
    /// until the plan stops it cannot promise more.
    public func compare(fingerprint current: String, now: PreviewDocument) -> (drift: [PlanDrift], arrivals: [PlanDrift]) {
        guard current == fingerprint else {
            return ([PlanDrift(stepID: nil, saved: "graph \(fingerprint.prefix(12))", now: "graph \(current.prefix(12))",
                what: "the plan compiles to different steps (plan file, users or included files changed)")], [])
        }
        var drift: [PlanDrift] = []
        var arrivals: [PlanDrift] = []
        let nowByID = Dictionary(now.steps.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let savedIDs = Set(preview.steps.map(\.id))
        for saved in preview.steps {
            guard let fresh = nowByID[saved.id] else {
                drift.append(PlanDrift(stepID: saved.id, saved: saved.action, now: "absent", what: "the step is no longer in the plan"))
                continue
            }
            let (was, isNow) = (saved.observed ?? [:], fresh.observed ?? [:])
            var grown: [PlanDrift] = []
            for subject in Set(was.keys).union(isNow.keys).sorted() where was[subject] != isNow[subject] {
                let change = PlanDrift(stepID: saved.id, saved: was[subject] ?? "(not read)", now: isNow[subject] ?? "(not read)",
                    what: "\(subject) changed since the preview")
                if let a = was[subject].flatMap(MailboxIdentity.init), let b = isNow[subject].flatMap(MailboxIdentity.init), b.grew(from: a) {
                    grown.append(PlanDrift(stepID: saved.id, saved: "\(a.size) bytes", now: "\(b.size) bytes", what: "new mail reached \(subject)"))
                } else {
                    drift.append(change)
                }
            }
            arrivals += grown
            // New mail changes the import's counts, not what the step does.
            let onlyGrowth = !grown.isEmpty && saved.changes.map(\.marker) == fresh.changes.map(\.marker)
            if saved.action != fresh.action {
                drift.append(PlanDrift(stepID: saved.id, saved: saved.action, now: fresh.action, what: "what the step would do changed"
                    + (fresh.reason.map { " (\($0))" } ?? "")))
            } else if saved.changes != fresh.changes && !onlyGrowth {
                drift.append(PlanDrift(
                    stepID: saved.id, saved: Self.lines(saved.changes), now: Self.lines(fresh.changes),
                    what: "the live values the step would change are different"))
            }
        }
        for fresh in now.steps where !savedIDs.contains(fresh.id) {
            drift.append(PlanDrift(stepID: fresh.id, saved: "absent", now: fresh.action, what: "a step the saved plan does not have"))
        }
        return (drift, arrivals)
    }

    private static func lines(_ changes: [PreviewDocument.Change]) -> String {
        changes.isEmpty ? "(no change)" : changes.map { "\($0.marker) \($0.text)" }.joined(separator: "; ")
    }
}

/// One way the live systems (or the plan) moved away from a saved plan.
public struct PlanDrift: Sendable, Hashable, CustomStringConvertible {
    /// nil when the whole plan drifted (a different graph).
    public var stepID: String?
    public var saved: String
    public var now: String
    public var what: String

    public init(stepID: String?, saved: String, now: String, what: String) {
        self.stepID = stepID
        self.saved = saved
        self.now = now
        self.what = what
    }

    public var description: String {
        (stepID.map { "\($0): " } ?? "") + "\(what): saved \(saved), now \(now)"
    }
}

/// A source mailbox's identity as an inspection observes it (`inode:size:mtime_ns`, the journal
/// form of the mailbox driver's source identity), read only to tell growth from replacement.
struct MailboxIdentity {
    var inode: UInt64
    var size: Int

    init?(_ text: String) {
        let p = text.split(separator: ":")
        guard p.count == 3, let i = UInt64(p[0]), let s = Int(p[1]) else { return nil }
        (inode, size) = (i, s)
    }

    /// The same file, longer: mail appended. A rewrite (a POP client's compaction) gets a new
    /// inode or a smaller size, and is drift.
    func grew(from earlier: MailboxIdentity) -> Bool { inode == earlier.inode && size > earlier.size }
}
