import Foundation

/// Makes ed25519 key pairs with the system `ssh-keygen`.
public enum SSHKeygen {
    /// Writes `path` and `path.pub` (no passphrase).
    public static func make(at path: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        p.arguments = ["-q", "-t", "ed25519", "-N", "", "-C", "mailshift-lab", "-f", path]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw SSHDInstance.Failure(description: "ssh-keygen failed for \(path) (status \(p.terminationStatus))")
        }
    }
}
