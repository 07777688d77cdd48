import Foundation
import MailboxDriver
import SafeFiles
import Steps
import SystemCalls

/// Preflight of the files the run touches on this machine: homes for `.forward` files, each
/// mailbox's variant (a histogram; an ambiguous mailbox the plan does not say how to read is a
/// problem), and free space on the store for what the spool holds (when the store is this
/// machine). Files on ssh hosts are `RemotePreflight`'s.
struct MailboxPreflight: Sendable {
    struct Source: Sendable {
        var user: String
        var mbox: String
        var parameters: MailboxImportParameters
        var storeIsLocal: Bool
    }

    var homes: [(user: String, directory: String)] = []
    var sources: [Source] = []
    var remote: RemotePreflight
    /// Headroom on the store beyond the spool's bytes (Maildir files, directories).
    static let spaceMargin = 1.1

    init(remote: RemotePreflight) {
        self.remote = remote
    }

    mutating func home(of forwardFile: String, user: String, host: HostEndpoint) {
        let home = (forwardFile as NSString).deletingLastPathComponent
        guard host.connect == .local else { return remote.home(home, user: user, host: host) }
        homes.append((user, home))
    }

    /// `store`: the store's host when it is an ssh host (nil: this machine).
    mutating func source(_ p: MailboxImportParameters, user: String, host: HostEndpoint?, store: HostEndpoint?) {
        let s = Source(user: user, mbox: p.mbox, parameters: p, storeIsLocal: store == nil)
        if let store, p.store.kind == .maildir, let maildir = p.store.maildir { remote.store(maildir, on: store) }
        guard let host, host.connect != .local else { return sources.append(s) }
        remote.source(s, host: host)
    }

    func checks() async -> [PreflightCheck] {
        var out: [PreflightCheck] = []
        var remoteStoreBytes: [String: Int] = [:]
        if !homes.isEmpty {
            let missing = homes.filter { !Self.isDirectory($0.directory) }.map {
                PreflightCheck.Problem(subject: $0.user, reason: "\($0.directory) does not exist: its .forward cannot be diverted",
                    hint: "create the home, or take the user out of the batch")
            }
            out.append(PreflightCheck(
                "forward.homes", detail: "\(homes.count) homes checked", problems: missing))
        }
        if !sources.isEmpty {
            let sources = self.sources
            let (variants, sizes) = await Self.variants(sources)
            out.append(variants)
            if let space = Self.space(sources, sizes: sizes) { out.append(space) }
            for (s, size) in zip(sources, sizes) where !s.storeIsLocal { remoteStoreBytes[s.parameters.store.host, default: 0] += size }
        }
        return out + (await remote.checks(storeBytes: remoteStoreBytes))
    }

    static func isDirectory(_ path: String) -> Bool {
        (try? FileStatus.of(linkAt: path))?.kind == .directory
    }

    /// What preflight learnt of one mailbox: its histogram label (nil: absent), its size as the
    /// reader's descriptor saw it, and the problem it poses, if any.
    struct Reading: Sendable {
        var label: String?
        var size = 0
        var problem: PreflightCheck.Problem?
    }

    /// Each mailbox's variant from its first megabytes (as the import will detect it), and its
    /// size as the reader's descriptor saw it (never a path followed as root). Mailboxes are read
    /// on one lane per core: each is its own file, and ten thousand of them are most of preflight.
    static func variants(_ sources: [Source]) async -> (PreflightCheck, sizes: [Int]) {
        let lanes = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let readings = await withTaskGroup(of: [(Int, Reading)].self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    stride(from: lane, to: sources.count, by: lanes).map { ($0, read(sources[$0])) }
                }
            }
            var all = [Reading](repeating: Reading(), count: sources.count)
            for await part in group { for (k, r) in part { all[k] = r } }
            return all
        }
        var histogram: [String: Int] = [:]
        for r in readings { histogram[r.label ?? "absent", default: 0] += 1 }
        let counts = histogram.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return (PreflightCheck("mailbox.variants", detail: "\(sources.count) mailboxes: \(counts)", problems: readings.compactMap(\.problem)),
            readings.map(\.size))
    }

    static func read(_ s: Source) -> Reading {
        guard (try? SourceFile.exists(s.mbox)) == true else { return Reading() }
        let pinned = MboxVariant(rawValue: s.parameters.format) ?? .auto
        let reading = s.parameters.ifAmbiguous.flatMap(AmbiguousReading.init(rawValue:)) ?? .refuse
        do {
            let reader = try MboxReader(
                path: s.mbox, variant: pinned, timeZone: TimeZone(identifier: s.parameters.timezone) ?? .gmt,
                ifAmbiguous: reading == .refuse ? .mboxo : reading)
            var r = Reading(label: reader.ambiguous ? "ambiguous (read as \(reader.variant.rawValue))" : reader.variant.rawValue,
                size: reader.identity.size)
            if reader.ambiguous && reading == .refuse {
                r.problem = .init(
                    subject: s.user, reason: "\(s.mbox): `>From ` lines and no `>>From `: mboxo and mboxrd read it differently",
                    hint: "pin source.format, or set source.if_ambiguous: mboxo|mboxrd")
            }
            return r
        } catch let error as MboxError {
            return Reading(label: "unreadable", problem: .init(subject: s.user, reason: error.summary, hint: error.hint))
        } catch {
            return Reading(label: "unreadable", problem: .init(subject: s.user, reason: "\(s.mbox): \(error)"))
        }
    }

    /// Free space where the Maildirs go against the spool's bytes (plus a margin), per file system.
    static func space(_ sources: [Source], sizes: [Int]) -> PreflightCheck? {
        var need: [UInt64: (root: String, bytes: Int)] = [:]
        for (s, size) in zip(sources, sizes) where s.storeIsLocal {
            guard s.parameters.store.kind == .maildir, let maildir = s.parameters.store.maildir else { continue }
            let root = existingAncestor(maildir)
            guard let st = try? FileStatus.of(linkAt: root) else { continue }
            need[st.device, default: (root, 0)].bytes += size
        }
        guard !need.isEmpty else { return nil }
        var problems: [PreflightCheck.Problem] = []
        var details: [String] = []
        for (root, bytes) in need.values.sorted(by: { $0.root < $1.root }) {
            guard let free = try? FileSystemSpace.available(at: root) else { continue }
            details.append("\(root): \(free >> 20) MiB free for \(bytes >> 20) MiB of mail")
            if Double(free) < Double(bytes) * spaceMargin {
                problems.append(.init(
                    subject: root, reason: "\(free >> 20) MiB free, the mailboxes hold \(bytes >> 20) MiB (+10 %)",
                    hint: "free space or grow the store's file system before the run"))
            }
        }
        return PreflightCheck("store.space", detail: details.joined(separator: "; "), problems: problems)
    }

    /// The deepest existing directory on the way to `path` (a Maildir not created yet).
    static func existingAncestor(_ path: String) -> String {
        var p = path
        while !p.isEmpty && p != "/" {
            if isDirectory(p) { return p }
            p = (p as NSString).deletingLastPathComponent
        }
        return "/"
    }
}
