import Foundation
import Steps

/// The master connections of one `SSHTransport`: one per distinct host endpoint, each with a
/// socket in a private directory, started once however many commands race for it, and a bound
/// on concurrent sessions through it (sshd refuses sessions beyond its `MaxSessions`).
actor SSHControlMasters {
    struct Slot: Sendable {
        var key: String
        var socket: String
    }

    private struct Master {
        var host: HostEndpoint
        var index: Int
        var socket: String
        var generation = 0
        var start: Task<Void, any Error>?
        var ready = false
        var inUse = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let socketParent: String
    private let sessions: Int
    private var directory: String?
    private var masters: [String: Master] = [:]

    init(socketParent: String, sessions: Int) {
        self.socketParent = socketParent
        self.sessions = max(1, sessions)
    }

    /// A session permit on a running master for `host`, starting the master if needed.
    func acquire(for host: HostEndpoint, start: @escaping @Sendable (String) async throws -> Void) async throws -> Slot {
        let key = Self.key(host)
        if masters[key] == nil {
            let dir = try makeDirectory()
            let index = masters.count
            masters[key] = Master(host: host, index: index, socket: "\(dir)/c\(index)")
        }
        if masters[key]!.inUse >= sessions {
            await withCheckedContinuation { masters[key]!.waiters.append($0) }
        } else {
            masters[key]!.inUse += 1
        }
        do {
            try await ensureRunning(key, start: start)
        } catch {
            release(Slot(key: key, socket: ""))
            throw error
        }
        return Slot(key: key, socket: masters[key]!.socket)
    }

    func release(_ slot: Slot) {
        guard var m = masters[slot.key] else { return }
        if m.waiters.isEmpty {
            m.inUse -= 1
            masters[slot.key] = m
        } else {
            let next = m.waiters.removeFirst()
            masters[slot.key] = m
            next.resume()
        }
    }

    /// The master behind `slot` failed: the next command starts a new one (on a new socket path,
    /// so a half-dead old master cannot be mistaken for the new one).
    func forget(_ slot: Slot) {
        guard var m = masters[slot.key], m.socket == slot.socket else { return }
        unlink(m.socket)
        m.generation += 1
        m.socket = "\(directory ?? socketParent)/c\(m.index)g\(m.generation)"
        m.start = nil
        m.ready = false
        masters[slot.key] = m
    }

    /// Every running master (to be stopped), forgetting them.
    func closeAll() -> [(HostEndpoint, String)] {
        let running = masters.values.filter(\.ready).map { ($0.host, $0.socket) }
        for key in masters.keys {
            masters[key]!.ready = false
            masters[key]!.start = nil
        }
        return running
    }

    func removeDirectory() {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
        directory = nil
        masters.removeAll()
    }

    private func ensureRunning(_ key: String, start: @escaping @Sendable (String) async throws -> Void) async throws {
        var m = masters[key]!
        // A master that idled out (ControlPersist) removes its socket: start a new one.
        if m.ready, access(m.socket, F_OK) != 0 {
            m.ready = false
            m.start = nil
            masters[key] = m
        }
        if m.ready { return }
        let task: Task<Void, any Error>
        if let existing = m.start {
            task = existing
        } else {
            let socket = m.socket
            task = Task { try await start(socket) }
            masters[key]!.start = task
        }
        do {
            try await task.value
            if masters[key]?.start == task { masters[key]!.ready = true }
        } catch {
            if masters[key]?.start == task { masters[key]!.start = nil }
            throw error
        }
    }

    private func makeDirectory() throws -> String {
        if let directory { return directory }
        var template = Array("\(socketParent)/mailshift-ssh-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CommandFailure(.spawnFailed(errno: errno), host: "local", command: "mkdtemp \(socketParent)")
        }
        let path = String(cString: made)
        chmod(path, 0o700)
        // Who holds it: a later run reaps the directory (and its masters) once this one is gone.
        try? ControlSocketReaper.holderRecord().write(toFile: "\(path)/\(ControlSocketReaper.holderFile)", atomically: false, encoding: .utf8)
        directory = path
        return path
    }

    private static func key(_ host: HostEndpoint) -> String {
        [host.address, host.user ?? "", host.port.map(String.init) ?? "", host.identityFile ?? ""]
            .joined(separator: "\u{1}") + "\u{1}" + host.sshOptions.joined(separator: "\u{2}")
    }
}
