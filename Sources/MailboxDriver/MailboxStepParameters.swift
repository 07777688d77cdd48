import Foundation
import Glibc
import Steps

/// The mailbox steps' parameters, decoded and checked (keys: `StepParameters+Catalogue.swift`).
struct MailboxStepParameters {
    var mbox: String?
    var variant: MboxVariant
    var timeZone: TimeZone
    var storeKind: String
    var maildir: String?
    var importArgv: [String]?
    var countArgv: [String]?
    var owner: String?
    var lock: Bool
    var mode: String?

    init(_ step: StepInstance) throws {
        let p = step.parameters
        mbox = p.text(StepParameterKey.mbox)
        let format = p.text(StepParameterKey.format) ?? "auto"
        guard let v = MboxVariant(rawValue: format) else {
            throw StepError.permanent("\(step.id): unknown mbox format '\(format)'", hint: "one of \(MboxVariant.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        variant = v
        let tzName = p.text(StepParameterKey.timezone)
        if let tzName {
            guard let tz = TimeZone(identifier: tzName) else {
                throw StepError.permanent("\(step.id): unknown time zone '\(tzName)'", hint: "an IANA name such as Europe/Berlin or UTC")
            }
            timeZone = tz
        } else {
            timeZone = TimeZone.current
        }
        storeKind = p.text(StepParameterKey.storeKind) ?? "maildir"
        maildir = p.text(StepParameterKey.maildir)
        importArgv = p.list(StepParameterKey.importArgv)
        countArgv = p.list(StepParameterKey.countArgv)
        owner = p.text(StepParameterKey.owner)
        lock = p.flag(StepParameterKey.lock) ?? false
        mode = p.text(StepParameterKey.mode)
        for path in [mbox, maildir].compactMap({ $0 }) {
            guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw StepError.permanent("\(step.id): path '\(path)' must be absolute, without '..'")
            }
        }
    }

    func require(_ value: String?, _ key: String, _ step: StepInstance) throws -> String {
        guard let value, !value.isEmpty else { throw StepError.permanent("\(step.id): missing parameter '\(key)'") }
        return value
    }

    /// uid/gid of `owner`, when set (applied only when running as root).
    func ownerIDs(_ step: StepInstance) throws -> (uid: uid_t, gid: gid_t)? {
        guard let owner, !owner.isEmpty, geteuid() == 0 else { return nil }
        guard let pw = getpwnam(owner) else {
            throw StepError.permanent("\(step.id): owner '\(owner)' is not a user on this host")
        }
        return (pw.pointee.pw_uid, pw.pointee.pw_gid)
    }

    func importOptions(_ step: StepInstance, tagPrefix: String = "m", deduplicate: Bool = false, variant: MboxVariant? = nil) throws -> MboxImportOptions {
        MboxImportOptions(
            variant: variant ?? self.variant, timeZone: timeZone, tagPrefix: tagPrefix, lock: lock, owner: try ownerIDs(step),
            deduplicate: deduplicate)
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
