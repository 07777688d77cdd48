import Foundation
import Steps

/// The host side of `.forward` file work on a remote host: `mailshift agent-file OP PATH`, run over
/// ssh, does exactly what `LocalHostFiles` does on this machine (descriptor walks, no link
/// followed, modes and owners set on descriptors), so no file operation on any host is a shell
/// script working on paths. Requests and answers are one JSON object each.
public enum ForwardFileAgent {
    public enum Operation: String, Sendable, CaseIterable { case read, write, remove, prepare }

    public struct Answer: Codable, Sendable {
        /// read: `absent` or `present`.
        public var state: String?
        /// read: the bytes, base64.
        public var data: String?
        /// read: `mode:uid:gid` (octal mode).
        public var attributes: String?
        /// prepare: whether the file was created.
        public var created: Bool?
    }

    /// Performs `operation` on this host. `input` is the new content for `write`.
    public static func perform(
        _ operation: Operation, path: String, owner: String?, attributes: String?, input: Data
    ) async throws -> Answer {
        let files = LocalHostFiles(host: HostEndpoint(name: ProcessInfo.processInfo.hostName, address: "localhost", connect: .local))
        switch operation {
        case .read:
            let (state, attrs) = try await files.readWithAttributes(path)
            switch state {
            case .absent: return Answer(state: "absent")
            case .present(let bytes):
                return Answer(state: "present", data: bytes.base64EncodedString(), attributes: attrs?.encoded)
            }
        case .write:
            try await files.write(path, input, owner: owner, attributes: attributes.flatMap(ForwardFileAttributes.init(encoded:)))
            return Answer()
        case .remove:
            try await files.remove(path)
            return Answer()
        case .prepare:
            return Answer(created: try await files.prepareAppendTarget(path, owner: owner))
        }
    }
}
