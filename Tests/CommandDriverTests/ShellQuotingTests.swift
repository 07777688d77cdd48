import CommandDriver
import Foundation
import Steps
import Testing

@Suite struct ShellQuotingTests {
    static let words = [
        "plain", "", " ", "a b", "it's", "'", "''", "\"", "\\", "\\'", "$HOME", "${IFS}", "$(id)", "`id`", ";", "&&", "|",
        "*", "?", "~", "#", "!", "line\nbreak", "tab\there", "-n", "--", "é ü 🙂", "%s",
    ]

    @Test func quotedWordsComeBackUnchangedFromEveryPosixShell() async throws {
        for shell in ["/bin/sh", "/bin/bash", "/bin/dash"] where FileManager.default.isExecutableFile(atPath: shell) {
            let line = ShellQuoting.commandLine(["printf", "%s\\0"] + Self.words)
            let out = try await LocalTransport().run([shell, "-c", line], on: localHost, stdin: nil, timeout: 10)
            #expect(out.status == 0)
            let back = out.stdout.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
            #expect(back == Self.words, "\(shell)")
        }
    }

    @Test func quotesOnlyWhatNeedsIt() {
        #expect(ShellQuoting.quote("it's") == "'it'\\''s'")
        #expect(ShellQuoting.quote("") == "''")
        #expect(!ShellQuoting.needsQuoting("/var/mail/alice"))
        #expect(ShellQuoting.needsQuoting("a b"))
        #expect(ShellQuoting.needsQuoting("$x"))
    }
}
