import Foundation

/// Where everything of one lab lives, all inside its directory (nothing is written outside it).
public struct LabPaths: Sendable, Hashable {
    public let root: String

    public init(root: String) {
        // Absolute, so the plans written into the lab work from any current directory.
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    public var spool: String { root + "/spool" }
    public func spoolFile(_ user: String) -> String { spool + "/" + user }
    public var storeRoot: String { root + "/store" }
    public func maildir(_ user: String) -> String { storeRoot + "/" + user + "/Maildir" }
    public var homes: String { root + "/home" }
    public func forwardFile(_ user: String) -> String { homes + "/" + user + "/.forward" }
    public var saved: String { root + "/saved" }
    public func savedFile(_ user: String) -> String { saved + "/" + user }
    /// Mail spooled aside by the choke router or the delivery hold: one file per message.
    public var held: String { root + "/held" }
    public func heldQueue(_ user: String) -> String { held + "/" + user }
    public func chokeMarker(_ user: String) -> String { held + "/" + user + ".choked" }
    /// Serialises the choke router and the MTA for one user.
    public func routeLock(_ user: String) -> String { held + "/" + user + ".lock" }
    public var archive: String { root + "/archive" }
    public var ldap: String { root + "/ldap" }
    public var plans: String { root + "/plans" }
    public func plan(_ strategy: String) -> String { plans + "/" + strategy + ".yaml" }
    public var run: String { root + "/run" }
    public func pidFile(_ name: String) -> String { run + "/" + name + ".pid" }
    public var passwordFile: String { run + "/ldap.secret" }
    public var manifest: String { root + "/manifest.json" }
    public var arrivals: String { root + "/arrived.jsonl" }
    public var config: String { root + "/lab.json" }
    public var log: String { run + "/lab.log" }
    /// One line per user `lab deluser` deleted from the legacy host.
    public var deluserLog: String { run + "/deluser.log" }
}

/// What `lab up` chose, read back by every other lab command.
public struct LabConfig: Sendable, Codable, Hashable {
    public var users: [String]
    public var messages: Int
    public var seed: UInt64
    public var ldapURL: String
    public var ldapPort: Int
    public var peopleBase: String
    public var bindDN: String
    public var legacyHost: String
    public var storeHost: String
    public var executable: String
    /// The real mail system's interface for tools (nil with the stand-in MTA); see docs/lab.md.
    public var mailSystem: LabMailSystem?
    public var domain: String?
    public var smtp: LabEndpoint?
    public var imap: LabEndpoint?
    public var lmtp: LabEndpoint?
    /// The legacy host's MTA (SMTP), its IMAP server over the spool, and the IMAP proxy clients keep.
    public var legacySMTP: LabEndpoint?
    public var legacyIMAP: LabEndpoint?
    public var proxyIMAP: LabEndpoint?
    public var userPassword: String?
    public var mailLog: String?
    /// The account that owns the store's Maildirs (the plans' `store.owner`).
    public var storeOwner: String?

    enum CodingKeys: String, CodingKey {
        case users, messages, seed, ldapURL, ldapPort, peopleBase, bindDN, legacyHost, storeHost, executable
        case mailSystem = "mail_system", domain, smtp, imap, lmtp, userPassword = "user_password", mailLog = "mail_log"
        case storeOwner = "store_owner", legacySMTP = "legacy_smtp", legacyIMAP = "legacy_imap", proxyIMAP = "proxy_imap"
    }

    public static func load(_ paths: LabPaths) throws -> LabConfig {
        guard let data = FileManager.default.contents(atPath: paths.config) else {
            throw LabError("no lab in \(paths.root) (\(paths.config) is missing)", hint: "run `mailshift lab up \(paths.root)` first")
        }
        return try JSONDecoder().decode(LabConfig.self, from: data)
    }

    public func save(_ paths: LabPaths) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(self).write(to: URL(fileURLWithPath: paths.config))
    }
}

/// A lab failure, with what to do about it.
public struct LabError: Error, Sendable, CustomStringConvertible {
    public var what: String
    public var hint: String?
    public init(_ what: String, hint: String? = nil) {
        self.what = what
        self.hint = hint
    }
    public var description: String { hint.map { "\(what)\n  hint: \($0)" } ?? what }
}
