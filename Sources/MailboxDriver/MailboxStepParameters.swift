import Foundation
import Glibc
import SafeFiles
import Steps

/// The mailbox kinds' typed parameters (`Steps/Kinds/`), checked and turned into the driver's
/// own types: the mbox variant, the time zone, the store target.
struct MailboxStepParameters {
    var mbox: String?
    var variant: MboxVariant
    var timeZone: TimeZone
    var store: StoreTarget
    var lock: Bool
    var mode: VerifyMode?
    /// How a detected-ambiguous mailbox reads (mailbox.import only; the others read what it chose).
    var ifAmbiguous: AmbiguousReading = .refuse

    var storeKind: StoreTarget.Kind { store.kind }
    var maildir: String? { store.maildir }
    var importArgv: [String]? { store.importArgv }
    var countArgv: [String]? { store.countArgv }
    var owner: String? { store.owner }

    init(_ step: StepInstance) throws {
        switch step.action {
        case .mailboxImport(let p):
            try self.init(step, mbox: p.mbox, format: p.format, timezone: p.timezone, store: p.store, lock: p.lock)
            if let reading = p.ifAmbiguous {
                guard let known = AmbiguousReading(rawValue: reading), known != .refuse else {
                    throw StepRefusal(.invalidParameter(key: "if_ambiguous", value: reading, expected: "mboxo or mboxrd"))
                }
                ifAmbiguous = known
            }
        case .mailboxVerify(let p):
            try self.init(step, mbox: p.mbox, format: "auto", timezone: p.timezone, store: p.store, lock: false)
            mode = p.mode
        case .savedImport(let p):
            try self.init(step, mbox: nil, format: "auto", timezone: p.timezone, store: p.store, lock: false)
        case .holdRelease(let p):
            try self.init(step, mbox: nil, format: "auto", timezone: p.timezone, store: p.store, lock: false)
        default:
            throw StepKindMismatch(stepID: step.id, expected: "mailbox", actual: step.kind)
        }
    }

    private init(_ step: StepInstance, mbox: String?, format: String, timezone: String, store: StoreTarget, lock: Bool) throws {
        self.mbox = mbox
        guard let v = MboxVariant(rawValue: format) else {
            throw StepRefusal(.invalidParameter(key: "format", value: format, expected: "one of \(MboxVariant.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        variant = v
        guard let tz = TimeZone(identifier: timezone) else {
            throw StepRefusal(.invalidParameter(key: "timezone", value: timezone, expected: "an IANA name such as Europe/Berlin or UTC"))
        }
        timeZone = tz
        self.store = store
        self.lock = lock
        for path in [mbox, store.maildir].compactMap({ $0 }) {
            guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw StepRefusal(.invalidParameter(key: path == mbox ? "mbox" : "maildir", value: path, expected: "must be absolute, without '..'"))
            }
        }
    }

    func require(_ value: String?, _ key: String, _ step: StepInstance) throws -> String {
        guard let value, !value.isEmpty else { throw StepRefusal(.missingParameter(key: key)) }
        return value
    }

    /// uid/gid of `owner`, when set (applied only when running as root).
    func ownerIDs(_ step: StepInstance) throws -> (uid: uid_t, gid: gid_t)? {
        guard let owner, !owner.isEmpty, geteuid() == 0 else { return nil }
        guard let account = FileOwner.account(owner) else {
            throw MailboxFailure(.unknownOwner(owner), host: step.commandHost.name)
        }
        return (account.uid, account.gid)
    }

    func importOptions(_ step: StepInstance, tagPrefix: String = "m", deduplicate: Bool = false, variant: MboxVariant? = nil) throws -> MboxImportOptions {
        MboxImportOptions(
            variant: variant ?? self.variant, timeZone: timeZone, tagPrefix: tagPrefix, lock: lock, owner: try ownerIDs(step),
            deduplicate: deduplicate, ifAmbiguous: ifAmbiguous)
    }
}

extension Int {
    /// `88 MB`, `1.2 GB`, `512 KB` for previews.
    var byteText: String {
        let d = Double(self)
        if d >= 1e9 { return String(format: "%.1f GB", d / 1e9) }
        if d >= 1e6 { return "\(Int((d / 1e6).rounded())) MB" }
        if d >= 1e3 { return "\(Int((d / 1e3).rounded())) KB" }
        return "\(self) B"
    }

    /// `1,204`.
    var grouped: String {
        let s = String(self)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 && c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}

extension MailboxStepParameters {
    /// A mailbox imported before is read as it was then: under `variant: auto`, detection on a
    /// file that has grown since could pick another variant, and its messages would be named
    /// otherwise (stored a second time, or reported missing). The import, its preview and the
    /// verify all read it so.
    mutating func pinVariant(to imported: MailboxImportOutputs?) {
        guard variant == .auto, let earlier = imported?.variant.flatMap({ MboxVariant(rawValue: $0) }), earlier != .auto else { return }
        variant = earlier
    }
}
