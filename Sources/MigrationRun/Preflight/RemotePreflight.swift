import CommandDriver
import Foundation
import MailboxDriver
import Steps

/// Preflight of what the run touches on ssh hosts, asked over the run's own transport: the
/// mailshift agent's version on each host that runs one, homes for `.forward` (`test -d`, the
/// paths as arguments, never code), each mailbox's variant (`mailshift mbox inspect` there, where
/// the spool lives) and free space where each remote store writes (`df -Pk`).
struct RemotePreflight: Sendable {
    let transport: any CommandTransport
    /// The version each agent host must run (nil: not checked).
    let agentVersion: String?
    static let agent = "mailshift"
    /// Paths per remote command, so that its answer fits the transport's 64 KiB capture (what
    /// does not fit is cut, and would read as nothing found).
    static let chunk = 100
    /// Mailboxes per `mbox inspect`: each answer is up to a few KiB (flags, ten warnings).
    static let inspectChunk = 16

    private var homes: [String: (host: HostEndpoint, users: [(user: String, directory: String)])] = [:]
    private var sources: [String: (host: HostEndpoint, mailboxes: [MailboxPreflight.Source])] = [:]
    private var stores: [String: (host: HostEndpoint, roots: Set<String>)] = [:]

    init(transport: any CommandTransport, agentVersion: String?) {
        self.transport = transport
        self.agentVersion = agentVersion
    }

    mutating func home(_ directory: String, user: String, host: HostEndpoint) {
        homes[host.name, default: (host, [])].users.append((user, directory))
    }

    mutating func source(_ s: MailboxPreflight.Source, host: HostEndpoint) {
        sources[host.name, default: (host, [])].mailboxes.append(s)
    }

    /// A Maildir written on `host` (a remote store): its parent must have room.
    mutating func store(_ maildir: String, on host: HostEndpoint) {
        stores[host.name, default: (host, [])].roots.insert(((maildir as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent)
    }

    /// `storeBytes`: what mailboxes read on this machine will write to each remote store host.
    func checks(storeBytes: [String: Int]) async -> [PreflightCheck] {
        var out: [PreflightCheck] = []
        if let versions = await versions() { out.append(versions) }
        if !homes.isEmpty { out.append(await homeCheck()) }
        var need = storeBytes
        if !sources.isEmpty {
            let (check, bytes) = await variantCheck()
            out.append(check)
            need.merge(bytes, uniquingKeysWith: +)
        }
        if !stores.isEmpty { out.append(await spaceCheck(need: need)) }
        return out
    }

    private func versions() async -> PreflightCheck? {
        guard let agentVersion, !sources.isEmpty else { return nil }
        var problems: [PreflightCheck.Problem] = []
        for (name, entry) in sources.sorted(by: { $0.key < $1.key }) {
            do {
                let o = try await transport.run([Self.agent, "--version"], on: entry.host, stdin: nil, timeout: 60)
                let got = String(decoding: o.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if o.status != 0 || got != agentVersion {
                    problems.append(.init(subject: name, reason: "mailshift there is '\(o.status == 0 ? got : "missing")', this is '\(agentVersion)'",
                        hint: "install mailshift \(agentVersion) as `\(Self.agent)` on \(entry.host.address) (docs/mailbox.md, Agent)"))
                }
            } catch {
                problems.append(Self.unreachable(name, error))
            }
        }
        return PreflightCheck("agent.versions", detail: "mailshift \(agentVersion) on " + sources.keys.sorted().joined(separator: ", "), problems: problems)
    }

    private func homeCheck() async -> PreflightCheck {
        var problems: [PreflightCheck.Problem] = []
        var checked = 0
        for (name, entry) in homes.sorted(by: { $0.key < $1.key }) {
            let byDirectory = Dictionary(entry.users.map { ($0.directory, $0.user) }, uniquingKeysWith: { a, _ in a })
            for start in stride(from: 0, to: entry.users.count, by: Self.chunk) {
                let part = entry.users[start..<min(start + Self.chunk, entry.users.count)].map(\.directory)
                let probe = ["/bin/sh", "-c", #"for d; do [ -d "$d" ] || printf '%s\n' "$d"; done"#, "sh"] + part
                do {
                    let o = try await transport.run(probe, on: entry.host, stdin: nil, timeout: 120)
                    checked += part.count
                    for missing in String(decoding: o.stdout, as: UTF8.self).split(separator: "\n").map(String.init) {
                        problems.append(.init(subject: byDirectory[missing] ?? missing,
                            reason: "\(name):\(missing) does not exist: its .forward cannot be diverted",
                            hint: "create the home, or take the user out of the batch"))
                    }
                } catch {
                    problems.append(Self.unreachable(name, error))
                    break
                }
            }
        }
        return PreflightCheck("forward.homes.remote", detail: "\(checked) homes checked on " + homes.keys.sorted().joined(separator: ", "), problems: problems)
    }

    /// One `mbox inspect` per host and reading (variant, time zone, ambiguity rule): the agent
    /// prints what it could read; a file it leaves out is absent (nothing to import) or unreadable.
    private func variantCheck() async -> (PreflightCheck, storeBytes: [String: Int]) {
        var storeBytes: [String: Int] = [:]
        var histogram: [String: Int] = [:]
        var problems: [PreflightCheck.Problem] = []
        var total = 0
        for (name, entry) in sources.sorted(by: { $0.key < $1.key }) {
            let groups = Dictionary(grouping: entry.mailboxes) { s in
                [s.parameters.format, s.parameters.timezone, s.parameters.ifAmbiguous ?? AmbiguousReading.refuse.rawValue]
            }
            for (reading, mailboxes) in groups.sorted(by: { $0.key.joined() < $1.key.joined() }) {
                let refuse = reading[2] == AmbiguousReading.refuse.rawValue
                for start in stride(from: 0, to: mailboxes.count, by: Self.inspectChunk) {
                    let part = Array(mailboxes[start..<min(start + Self.inspectChunk, mailboxes.count)])
                    total += part.count
                    let argv = [Self.agent, "mbox", "inspect", "--format", "json", "--variant", reading[0], "--timezone", reading[1],
                        "--if-ambiguous", refuse ? AmbiguousReading.mboxo.rawValue : reading[2], "--"] + part.map(\.mbox)
                    do {
                        let o = try await transport.run(argv, on: entry.host, stdin: nil, timeout: 3600)
                        guard let found = try? JSONDecoder().decode([MboxInspection].self, from: o.stdout) else {
                            problems.append(.init(subject: name, reason: "cannot read the answer of `mailshift mbox inspect` there (exit \(o.status))",
                                hint: "is the same mailshift installed there? (docs/mailbox.md, Agent)"))
                            continue
                        }
                        let byFile = Dictionary(found.map { ($0.file, $0) }, uniquingKeysWith: { a, _ in a })
                        for s in part {
                            guard let r = byFile[s.mbox] else {
                                histogram["absent or unreadable", default: 0] += 1
                                continue
                            }
                            storeBytes[s.parameters.store.host, default: 0] += r.bytes
                            histogram[r.ambiguous == true ? "ambiguous (read as \(r.variant))" : r.variant, default: 0] += 1
                            if r.ambiguous == true && refuse {
                                problems.append(.init(
                                    subject: s.user, reason: "\(name):\(s.mbox): `>From ` lines and no `>>From `: mboxo and mboxrd read it differently",
                                    hint: "pin source.format, or set source.if_ambiguous: mboxo|mboxrd"))
                            }
                        }
                    } catch {
                        problems.append(Self.unreachable(name, error))
                    }
                }
            }
        }
        let counts = histogram.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return (PreflightCheck("mailbox.variants.remote", detail: "\(total) mailboxes on " + sources.keys.sorted().joined(separator: ", ") + ": \(counts)", problems: problems),
            storeBytes)
    }

    /// Free space under each remote store's roots against the bytes its mailboxes hold (+10 %).
    private func spaceCheck(need: [String: Int]) async -> PreflightCheck {
        var problems: [PreflightCheck.Problem] = []
        var details: [String] = []
        for (name, entry) in stores.sorted(by: { $0.key < $1.key }) {
            // The deepest existing ancestor of each root: the Maildirs may not exist yet.
            let script = #"for d; do while [ ! -d "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done; df -Pk "$d" | tail -n 1; done"#
            do {
                let o = try await transport.run(["/bin/sh", "-c", script, "sh"] + entry.roots.sorted().prefix(Self.chunk), on: entry.host, stdin: nil, timeout: 60)
                for line in String(decoding: o.stdout, as: UTF8.self).split(separator: "\n") {
                    let f = line.split(separator: " ", omittingEmptySubsequences: true)
                    guard f.count >= 6, let availableKiB = Int(f[3]) else { continue }
                    let bytes = need[name] ?? 0
                    let line = "\(name):\(f[5]): \(availableKiB >> 10) MiB free for \(bytes >> 20) MiB of mail"
                    guard !details.contains(line) else { continue }
                    details.append(line)
                    if Double(availableKiB) * 1024 < Double(bytes) * MailboxPreflight.spaceMargin {
                        problems.append(.init(subject: "\(name):\(f[5])", reason: "\(availableKiB >> 10) MiB free, the mailboxes hold \(bytes >> 20) MiB (+10 %)",
                            hint: "free space or grow the store's file system before the run"))
                    }
                }
            } catch {
                problems.append(Self.unreachable(name, error))
            }
        }
        return PreflightCheck("store.space.remote", detail: details.joined(separator: "; "), problems: problems)
    }

    static func unreachable(_ host: String, _ error: any Error) -> PreflightCheck.Problem {
        let failure = error as? any StepFailure
        return .init(subject: host, reason: failure?.summary ?? "\(error)", hint: failure?.hint)
    }
}
