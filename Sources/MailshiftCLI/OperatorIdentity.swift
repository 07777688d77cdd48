import Foundation
import SystemCalls

/// Who is at the keyboard, for the journal's approval and rollback records: the account the
/// process runs as (from the password database, not `$USER`, which anyone can set), the person
/// behind `sudo` when there is one, and the host.
enum OperatorIdentity {
    static var current: String {
        let uid = ProcessIdentity.effectiveUser
        let account = ProcessIdentity.accountName(of: uid) ?? "uid \(uid)"
        var who = account
        if let sudo = ProcessInfo.processInfo.environment["SUDO_USER"], !sudo.isEmpty, sudo != account {
            who = "\(sudo) (as \(account))"
        }
        return who + "@" + ProcessInfo.processInfo.hostName
    }
}
