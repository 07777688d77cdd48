import Digest
import Foundation
import Journal
import Lab
import MailshiftTestSupport
import Testing

/// A real run against a real slapd, with the bind password given by environment variable or by
/// file, and commands that print it: no byte of the state directory holds the password, its
/// base64, or its SHA-256 in hex. The built `mailshift` runs as a child process, so the variable
/// is set in its environment only (setenv here would race with other tests spawning children).
@Suite struct SecretsNotJournaledTests {
    enum Form: String, CaseIterable, Sendable { case environment, file }

    @Test(arguments: Form.allCases) func noFormOfThePasswordReachesTheStateDirectory(form: Form) async throws {
        let slapd = try SlapdFixture(users: [DirectoryUser.mailUser("ann")])
        defer { slapd.stop() }
        let password = slapd.layout.servicePassword
        let variable = "MAILSHIFT_TEST_LDAP_PW_" + UUID().uuidString.prefix(8)
        let source: String
        switch form {
        case .environment:
            source = "{ env: \(variable) }"
        case .file:
            let file = slapd.temp.file("bind.secret")
            #expect(FileManager.default.createFile(
                atPath: file, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600]))
            source = "{ file: \"\(file)\" }"
        }
        // What a careless command could print: the password in clear, base64 and SHA-256 (it reads
        // a copy, since the variable is withheld from children).
        let copy = slapd.temp.file("copy")
        try (password + "\n").write(toFile: copy, atomically: false, encoding: .utf8)
        let leak = "cat \(copy); base64 \(copy); sha256sum \(copy); p=$(cat \(copy)); printf %s \"$p\" | base64; "
            + "printf %s \"$p\" | sha256sum"
        let plan = try Self.writePlan(slapd, source: source, leak: leak)
        let state = slapd.temp.file("state")

        let run = try Self.mailshift(["run", plan, "--state", state], environment: [variable: password])
        #expect(run.status == 2, "the legacy MTA's stop fails on purpose, after dirsync ran: \(run.output)")
        #expect(!run.output.contains(password))

        let journal = try String(contentsOfFile: state + "/journal.log", encoding: .utf8)
        #expect(journal.contains("global/dirsync\tapplied"), "the printing command ran and was journaled")
        #expect(journal.contains("[redacted]"))
        let forms = Self.forms(of: password)
        for file in try FileManager.default.subpathsOfDirectory(atPath: state) {
            let bytes = try #require(FileManager.default.contents(atPath: state + "/" + file))
            for (name, form) in forms {
                #expect(bytes.range(of: Data(form.utf8)) == nil, "\(file) holds the password's \(name)")
            }
        }
    }

    @Test func aPasswordTooShortToRedactOrInAFileOthersCanReadStopsTheRunBeforeItStarts() async throws {
        let slapd = try SlapdFixture(users: [DirectoryUser.mailUser("ann")])
        defer { slapd.stop() }
        let file = slapd.temp.file("bind.secret")
        let plan = try Self.writePlan(slapd, source: "{ file: \"\(file)\" }", leak: "true")
        for (content, mode) in [("short\n", 0o600), (slapd.layout.servicePassword + "\n", 0o644)] as [(String, mode_t)] {
            let state = slapd.temp.file("state-\(mode)")
            #expect(FileManager.default.createFile(atPath: file, contents: Data(content.utf8)))
            chmod(file, mode)
            let run = try Self.mailshift(["run", plan, "--state", state], environment: [:])
            #expect(run.status == 1, "plan invalid: \(run.output)")
            #expect(run.output.contains(file))
            #expect(!FileManager.default.fileExists(atPath: state + "/journal.log"), "no step ran")
        }
        #expect(try slapd.values("ann", "mailHost") == ["oldmail.example.edu"])
    }

    /// Runs the built `mailshift` with `environment` added to this process's; status and output.
    static func mailshift(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let executable = try #require(BuiltMailshift.path, "build the mailshift product first (swift build)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// The forms searched for, named.
    static func forms(of password: String) -> [(String, String)] {
        var out = [("clear text", password)]
        for (suffix, text) in [("", password), (" with newline", password + "\n")] {
            let base64 = Data(text.utf8).base64EncodedString()
            out.append(("base64" + suffix, base64))
            out.append(("unpadded base64" + suffix, base64.trimmingCharacters(in: CharacterSet(charactersIn: "="))))
            out.append(("hex SHA-256" + suffix, SHA256.hash(text).hexString))
        }
        return out
    }

    static func writePlan(_ slapd: SlapdFixture, source: String, leak: String) throws -> String {
        let root = slapd.temp.path
        try FileManager.default.createDirectory(atPath: root + "/spool", withIntermediateDirectories: true)
        let quotedLeak = leak.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let text = """
            version: 1
            name: secrets-test
            strategy: simple
            hosts:
              legacy: { address: oldmail.example.edu, connect: local, roles: [legacy] }
              store: { address: newmail.example.edu, connect: local, roles: [store] }
            directory:
              url: \(slapd.slapd.url)
              bind_dn: "\(slapd.layout.migratorDN)"
              password: \(source)
              base: "\(slapd.layout.peopleBase)"
              user_filter: "(uid={user})"
              profile: messaging-server
            source: { host: legacy, spool: "\(root)/spool", lock: false }
            store: { kind: maildir, path: "\(root)/store/{user}/Maildir" }
            services:
              dirsync: { host: store, run: [/bin/sh, -c, "\(quotedLeak)"] }
              legacy_mta: { host: legacy, stop: [/bin/sh, -c, "(\(quotedLeak)) >&2; exit 1"] }
              store_server: { host: store, start: [/bin/true] }
            batches:
              - name: everyone
                users: [ann]
            policy: { retries: { attempts: 1 } }

            """
        let plan = slapd.temp.file("plan.yaml")
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        return plan
    }
}
