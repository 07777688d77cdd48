// swift-tools-version: 6.0
// The target graph is the pipeline: plan → compile → steps → execute → drivers.
// C stays at the edge: CYAML, CLDAP and CNettle are imported by exactly one Swift file each.
// Linux only: the drivers use Linux interfaces (O_TMPFILE, syncfs, /proc), so no other platform
// is claimed.
import PackageDescription

let package = Package(
    name: "mailshift",
    products: [
        .executable(name: "mailshift", targets: ["mailshift"]),
        .executable(name: "mailshift-bench", targets: ["MailshiftBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C edge: thin system-library modules, one wrapper file each imports them.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CLDAP", pkgConfig: "ldap", providers: [.apt(["libldap2-dev"])]),
        // SHA-256 with the CPU's SHA instructions where it has them (verify digests every message).
        .systemLibrary(name: "CNettle", pkgConfig: "nettle", providers: [.apt(["nettle-dev"])]),

        // Foundations with no mail-domain knowledge.
        .target(name: "Diagnostics"),
        .target(name: "CSystem"),
        .target(name: "SystemCalls", dependencies: ["CSystem"]),
        .target(name: "Digest", dependencies: ["CNettle"]),

        // plan → compile
        .target(name: "YAMLSource", dependencies: ["Diagnostics", "CYAML"]),
        .target(name: "PlanModel", dependencies: ["YAMLSource", "Diagnostics"]),
        .target(name: "Steps", dependencies: ["Diagnostics", "Digest"]),
        // files root touches on users' behalf: walked with O_NOFOLLOW, created with explicit modes
        .target(name: "SafeFiles", dependencies: ["SystemCalls", "Steps", "Diagnostics"]),
        .target(name: "PlanCompiler", dependencies: ["PlanModel", "Steps", "Diagnostics", "Digest", "SystemCalls"]),

        // execute
        .target(name: "Journal", dependencies: ["Steps", "Digest", "Diagnostics", "SystemCalls"]),
        .target(name: "Executor", dependencies: ["Steps", "Journal", "Diagnostics", "SystemCalls"]),

        // the executor's real-side-effect runner and the separate process its crash test kills
        .target(name: "ExecutorHarness", dependencies: ["Steps", "Journal", "Executor", "Digest"]),
        .executableTarget(name: "ExecutorCrashWorker", dependencies: ["ExecutorHarness", "Executor", "Journal", "Steps"]),

        // drivers (see only Steps; never the executor)
        .target(name: "CommandDriver", dependencies: ["Steps", "Diagnostics", "SystemCalls", "SafeFiles"]),
        .target(name: "LDAPDriver", dependencies: ["Steps", "Diagnostics", "SystemCalls", "CLDAP"]),
        .target(name: "MailboxDriver", dependencies: ["Steps", "Diagnostics", "Digest", "SystemCalls", "CommandDriver", "SafeFiles"]),

        // the local lab: generated spools, slapd and sshd instances (shared by `mailshift lab` and tests)
        .target(name: "Lab", dependencies: ["Steps", "Digest", "SafeFiles"]),

        // a run put together: the plan compiled once, its journal, users_from lists, every driver
        .target(name: "MigrationRun", dependencies: [
            "PlanCompiler", "Steps", "Journal", "Digest", "CommandDriver", "LDAPDriver", "MailboxDriver", "SystemCalls",
        ]),

        // the command line: parses arguments, prints; the work is in the libraries above
        .target(name: "MailshiftCLI", dependencies: [
            "Diagnostics", "YAMLSource", "PlanModel", "PlanCompiler", "Steps", "Journal", "Executor", "MigrationRun",
            "CommandDriver", "LDAPDriver", "MailboxDriver", "Lab", "SystemCalls",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "mailshift", dependencies: ["MailshiftCLI"]),
        .executableTarget(name: "MailshiftBench", dependencies: [
            "Diagnostics", "Digest", "YAMLSource", "PlanModel", "PlanCompiler", "Steps", "Journal", "Executor",
            "CommandDriver", "LDAPDriver", "MailboxDriver", "MailshiftCLI", "Lab", "CYAML",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // shared test fixtures: real slapd, real sshd, temporary directories, golden files
        .target(name: "MailshiftTestSupport", dependencies: ["Diagnostics", "Steps", "Lab"]),

        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "Digest"]),
        .testTarget(name: "SystemCallsTests", dependencies: ["SystemCalls"]),
        .testTarget(name: "YAMLSourceTests", dependencies: ["YAMLSource", "Diagnostics"]),
        .testTarget(name: "PlanCompilerTests", dependencies: [
            "YAMLSource", "PlanModel", "PlanCompiler", "Steps", "Diagnostics", "Digest", "MailshiftTestSupport",
        ], exclude: ["Fixtures"]),
        .testTarget(name: "ExecutorTests", dependencies: [
            "Steps", "Journal", "Executor", "ExecutorHarness", "ExecutorCrashWorker", "MailshiftTestSupport",
        ]),
        .testTarget(name: "ExecutorCLITests", dependencies: [
            "MailshiftCLI", "Executor", "ExecutorHarness", "Journal", "Steps", "MailshiftTestSupport", "PlanCompiler",
        ]),
        .testTarget(name: "JournalTests", dependencies: ["Steps", "Journal", "Digest", "MailshiftTestSupport"]),
        .testTarget(name: "CommandDriverTests", dependencies: [
            "CommandDriver", "Steps", "Lab", "PlanCompiler", "MailboxDriver", "MailshiftTestSupport", "SafeFiles",
        ]),
        .testTarget(name: "LDAPDriverTests", dependencies: [
            "LDAPDriver", "Steps", "PlanCompiler", "Journal", "MailshiftCLI", "MailshiftTestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "MailboxDriverTests", dependencies: [
            "MailboxDriver", "CommandDriver", "Steps", "Digest", "Lab", "MailshiftTestSupport", "SafeFiles", "Executor", "Journal",
        ]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "MailshiftCLI", "PlanCompiler", "Steps", "MailshiftTestSupport", "Lab", "MailboxDriver",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
