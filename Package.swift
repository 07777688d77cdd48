// swift-tools-version: 6.0
// The target graph is the pipeline: plan → compile → steps → execute → drivers.
// C stays at the edge: CYAML, CLDAP and CNettle are imported by exactly one Swift file each.
import PackageDescription

let package = Package(
    name: "mailshift",
    platforms: [.macOS(.v13)],
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
        .target(name: "Digest", dependencies: ["CNettle"]),

        // plan → compile
        .target(name: "YAMLSource", dependencies: ["Diagnostics", "CYAML"]),
        .target(name: "PlanModel", dependencies: ["YAMLSource", "Diagnostics"]),
        .target(name: "Steps", dependencies: ["Diagnostics", "Digest"]),
        .target(name: "PlanCompiler", dependencies: ["PlanModel", "Steps", "Diagnostics", "Digest"]),

        // execute
        .target(name: "Journal", dependencies: ["Steps", "Digest"]),
        .target(name: "Executor", dependencies: ["Steps", "Journal", "Diagnostics"]),

        // the executor's real-side-effect runner and the separate process its crash test kills
        .target(name: "ExecutorHarness", dependencies: ["Steps", "Journal", "Executor", "Digest"]),
        .executableTarget(name: "ExecutorCrashWorker", dependencies: ["ExecutorHarness", "Executor", "Journal", "Steps"]),

        // drivers (see only Steps; never the executor)
        .target(name: "CommandDriver", dependencies: ["Steps", "Diagnostics"]),
        .target(name: "LDAPDriver", dependencies: ["Steps", "Diagnostics", "CLDAP"]),
        .target(name: "MailboxDriver", dependencies: ["Steps", "Diagnostics", "Digest", "CommandDriver"]),

        // the local lab: generated spools, slapd and sshd instances (shared by `mailshift lab` and tests)
        .target(name: "Lab", dependencies: ["Steps", "Digest"]),

        // the command line: the one place that knows every stage and driver
        .target(name: "MailshiftCLI", dependencies: [
            "Diagnostics", "Digest", "YAMLSource", "PlanModel", "PlanCompiler", "Steps", "Journal", "Executor",
            "CommandDriver", "LDAPDriver", "MailboxDriver", "Lab",
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
        .testTarget(name: "YAMLSourceTests", dependencies: ["YAMLSource", "Diagnostics"]),
        .testTarget(name: "PlanCompilerTests", dependencies: [
            "YAMLSource", "PlanModel", "PlanCompiler", "Steps", "Diagnostics", "Digest", "MailshiftTestSupport",
        ], exclude: ["Fixtures"]),
        .testTarget(name: "ExecutorTests", dependencies: [
            "Steps", "Journal", "Executor", "ExecutorHarness", "ExecutorCrashWorker", "MailshiftTestSupport",
        ]),
        .testTarget(name: "ExecutorCLITests", dependencies: [
            "MailshiftCLI", "Executor", "ExecutorHarness", "Journal", "Steps", "MailshiftTestSupport",
        ]),
        .testTarget(name: "JournalTests", dependencies: ["Steps", "Journal", "Digest", "MailshiftTestSupport"]),
        .testTarget(name: "CommandDriverTests", dependencies: [
            "CommandDriver", "Steps", "Lab", "PlanCompiler", "MailboxDriver", "MailshiftTestSupport",
        ]),
        .testTarget(name: "LDAPDriverTests", dependencies: [
            "LDAPDriver", "Steps", "PlanCompiler", "Journal", "MailshiftCLI", "MailshiftTestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "MailboxDriverTests", dependencies: ["MailboxDriver", "CommandDriver", "Steps", "Digest", "Lab", "MailshiftTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "MailshiftCLI", "PlanCompiler", "Steps", "MailshiftTestSupport", "Lab",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
