import Foundation

/// What a private slapd should look like: its tree, users, durability and TLS.
public struct SlapdOptions: Sendable {
    public var layout: DirectoryLayout
    public var users: [DirectoryUser]
    /// False writes `dbnosync`: mdb no longer fsyncs each transaction (benchmarks compare both).
    public var syncWrites: Bool
    /// Log every operation (slapd's `stats` level) to `access.log` in the instance directory.
    public var logOperations: Bool
    /// Certificates for StartTLS and an `ldaps://` listener.
    public var tls: SlapdTLSFiles?
    /// Where the slapd binaries live (Debian: /usr/sbin, schema in /etc/ldap/schema).
    public var slapdPath: String
    public var slapaddPath: String
    public var systemSchemaDirectory: String
    public var modulePath: String
    /// Replication (`directory.replicas` tests): nil for a standalone server.
    public var replication: SlapdReplication?

    public init(
        layout: DirectoryLayout = DirectoryLayout(), users: [DirectoryUser] = [], syncWrites: Bool = true,
        logOperations: Bool = false, tls: SlapdTLSFiles? = nil, slapdPath: String = "/usr/sbin/slapd",
        slapaddPath: String = "/usr/sbin/slapadd", systemSchemaDirectory: String = "/etc/ldap/schema",
        modulePath: String = "/usr/lib/ldap"
    ) {
        self.layout = layout
        self.users = users
        self.syncWrites = syncWrites
        self.logOperations = logOperations
        self.tls = tls
        self.slapdPath = slapdPath
        self.slapaddPath = slapaddPath
        self.systemSchemaDirectory = systemSchemaDirectory
        self.modulePath = modulePath
    }
}

/// A server certificate, its key and the CA that signed it (PEM files).
public struct SlapdTLSFiles: Sendable, Hashable {
    public var caFile: String
    public var certificateFile: String
    public var keyFile: String

    public init(caFile: String, certificateFile: String, keyFile: String) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// The slapd.conf text for an instance rooted at `directory`.
///
/// The ACL gives the migrator account write access and everybody else read access, so a bind as
/// the reader gets a real `insufficientAccessRights` on modify. `sizelimit unlimited` lets
/// `users_from` page through large trees.
enum SlapdConfigurationFile {
    static func text(options: SlapdOptions, directory: String) -> String {
        var lines: [String] = []
        for file in SlapdSchema.systemFiles { lines.append("include \(options.systemSchemaDirectory)/\(file)") }
        lines.append("include \(directory)/mailshift-sun.schema")
        lines += [
            "pidfile \(directory)/slapd.pid",
            "argsfile \(directory)/slapd.args",
            "modulepath \(options.modulePath)",
            "moduleload back_mdb",
            "sizelimit unlimited",
            "loglevel \(options.logOperations ? "stats" : "0")",
        ]
        if let tls = options.tls {
            lines += [
                "TLSCACertificateFile \(tls.caFile)",
                "TLSCertificateFile \(tls.certificateFile)",
                "TLSCertificateKeyFile \(tls.keyFile)",
            ]
        }
        if options.replication == .provider { lines.append("moduleload syncprov") }
        let layout = options.layout
        lines += [
            "database mdb",
            "maxsize 1073741824",
            "suffix \"\(layout.suffix)\"",
            "rootdn \"\(layout.rootDN)\"",
            "rootpw \(layout.rootPassword)",
            "directory \(directory)/db",
            "index objectClass eq",
            "index uid eq",
            "index mailHost eq",
        ]
        if !options.syncWrites { lines.append("dbnosync") }
        lines += SlapdReplication.lines(options.replication, layout: layout)
        lines += [
            "access to attrs=userPassword",
            "  by self write",
            "  by anonymous auth",
            "  by * none",
            "access to *",
            "  by dn.exact=\"\(layout.migratorDN)\" write",
            "  by * read",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
