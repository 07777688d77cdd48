import Foundation

/// Writes large synthetic plans for the compile benchmark (a proxy plan, the biggest lowering).
enum PlanGenerator {
    static let header = """
        version: 1
        name: bench
        strategy: proxy
        hosts:
          legacy: { address: mail.example.edu, roles: [legacy, proxy] }
          store1: { address: store1.example.edu, roles: [store] }
        directory:
          url: ldap://ldap.example.edu
          password: { env: MAILSHIFT_LDAP_PASSWORD }
          base: ou=People,dc=example,dc=edu
        source: { host: legacy, format: solaris }
        store: { kind: maildir, path: "/srv/mail/{user}/Maildir" }
        services:
          proxy_setup: { host: legacy, run: [configure-proxy] }
          store_server: { host: store1, start: [im.server, start] }
          legacy_mta: { host: legacy, stop: [/etc/init.d/sendmail, stop] }
          hold: { host: legacy, slave: [hold_slave], master: [hold_master] }
        policy: { max_failures: 5%, retire_source: delete }
        batches:

        """

    static func user(_ i: Int) -> String { "u" + String(1_000_000_000 + i).dropFirst() }

    /// `batches` batches of `users` users each, inline, 20 names a line; each batch after the previous.
    static func inline(batches: Int, users: Int, to path: String) throws {
        var out = header
        out.reserveCapacity(batches * users * 14)
        for b in 0..<batches {
            out += "  - name: b\(b)\n"
            if b > 0 { out += "    after: [b\(b - 1)]\n" }
            out += "    users: ["
            for u in 0..<users {
                if u > 0 { out += u % 20 == 0 ? ",\n      " : ", " }
                out += user(b * users + u)
            }
            out += "]\n"
        }
        try out.write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// The same users in ten users files, each batch cut into sub-batches with `chunk: 1000`.
    static func usersFiles(batches: Int, users: Int, in dir: String, to path: String) throws {
        let files = 10
        let perFile = batches * users / files
        var out = header
        for f in 0..<files {
            let name = "users-\(batches)-\(f).txt"
            var list = ""
            list.reserveCapacity(perFile * 10)
            for i in 0..<perFile { list += user(f * perFile + i) + "\n" }
            try list.write(toFile: dir + "/" + name, atomically: false, encoding: .utf8)
            out += "  - { name: f\(f), users_file: \(name), chunk: 1000\(f > 0 ? ", after: [f\(f - 1)]" : "") }\n"
        }
        try out.write(toFile: path, atomically: false, encoding: .utf8)
    }
}
