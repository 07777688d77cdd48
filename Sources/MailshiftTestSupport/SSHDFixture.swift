import Foundation
import Lab
import Steps

/// A real sshd for one test: its own directory, keys, config, known_hosts and free port on
/// 127.0.0.1. Use `SSHDFixture.with { sshd in … }`: the server stops and the directory goes when
/// the body returns or throws, so tests stay parallel-safe and leave nothing running.
public struct SSHDFixture: Sendable {
    public let instance: SSHDInstance
    public let directory: TemporaryDirectory

    /// The endpoint (`connect: ssh`) that reaches the server.
    public var endpoint: HostEndpoint { instance.endpoint }
    /// An ssh client config for `SSHTransport.Configuration(configFile:)`, so the machine's own
    /// `~/.ssh/config` does not leak into tests.
    public var clientConfig: String { instance.clientConfig }
    public var port: Int { instance.port }
    public var user: String { instance.user }

    /// `privateMounts`: directories only this server's sessions see as their own tmpfs
    /// (`SSHDInstance.start`), to stand for a host with its own disk.
    public static func with<T: Sendable>(
        privateMounts: [String] = [], privateMountOptions: String = "mode=0755", _ body: (SSHDFixture) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory(prefix: "sshd")
        let instance: SSHDInstance
        do {
            let path = directory.path
            // The lifetime is only a backstop (the fixture stops its server): long enough that a
            // test queued behind slow ones on a loaded machine still finds its server up.
            instance = try await offPool { try SSHDInstance.start(in: path, maxLifetime: 1800, privateMounts: privateMounts, privateMountOptions: privateMountOptions) }
        } catch {
            directory.remove()
            throw error
        }
        let fixture = SSHDFixture(instance: instance, directory: directory)
        let result: T
        do {
            result = try await body(fixture)
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
        return result
    }

    private func tearDown() async {
        let (instance, directory) = (self.instance, self.directory)
        _ = try? await Self.offPool {
            instance.stop()
            // sshd may still be removing its pid file while we delete: retry a removal that raced.
            for _ in 0..<5 where FileManager.default.fileExists(atPath: directory.path) {
                directory.remove()
                usleep(20_000)
            }
        }
    }

    /// Runs blocking work (ssh-keygen, waiting for sshd) on a thread of its own, so parallel tests
    /// do not starve Swift's cooperative pool (one thread per core).
    static func offPool<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        let result: Result<R, any Error> = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Result { try work() }) }.start()
        }
        return try result.get()
    }

    /// A known_hosts file that names this server's address with a different key: connecting with
    /// it must fail host key verification.
    public func foreignKnownHosts() async throws -> String {
        let key = directory.file("foreign_ed25519")
        try await Self.offPool { try SSHKeygen.make(at: key) }
        let pub = try String(contentsOfFile: key + ".pub", encoding: .utf8)
        let line = "[127.0.0.1]:\(port) " + pub.split(separator: " ").prefix(2).joined(separator: " ") + "\n"
        let path = directory.file("foreign_known_hosts")
        try line.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
