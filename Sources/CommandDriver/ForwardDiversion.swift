import Diagnostics
import Foundation
import Steps

/// Who owns a `.forward` mailshift writes (the plan's `forward.owner`, else the runner's default).
public typealias ForwardOwner = ForwardFileOwner

/// A `.forward` file's state on a host.
enum ForwardFileState: Sendable, Hashable {
    case absent
    case present(Data)

    /// The journal form: `absent`, or `base64:` and the exact bytes.
    var encoded: String {
        switch self {
        case .absent: "absent"
        case .present(let data): "base64:" + data.base64EncodedString()
        }
    }

    init?(encoded: String) {
        if encoded == "absent" {
            self = .absent
        } else if encoded.hasPrefix("base64:"), let data = Data(base64Encoded: String(encoded.dropFirst(7))) {
            self = .present(data)
        } else {
            return nil
        }
    }

    /// A short description for a preview line.
    var summary: String {
        switch self {
        case .absent: return "absent"
        case .present(let data):
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            let first = lines.first.map { String($0.prefix(60)) } ?? ""
            return lines.count > 1 ? "\(first) (+\(lines.count - 1) lines)" : first
        }
    }
}

/// One user's diversion: where the `.forward` is and what it says.
struct ForwardDiversion: Sendable {
    var user: String
    var path: String
    var content: Data
    /// The file the diversion delivers to (nil for a restore).
    var savedPath: String?

    /// Where the user's previous `.forward` is kept on the host (0600, owned as the original)
    /// from the divert until the restore, so losing the journal never loses the user's file.
    var backupPath: String { path + ".mailshift-orig" }

    /// Expands and validates the step's templates for `user`.
    init(step: StepInstance, forwardFile: String, user: String, savedPath: String?, keepLocal: Bool) throws {
        try Self.validate(user: user, step: step)
        self.user = user
        let vars = ["user": user]
        path = StepParameters.expand(try step.nonEmpty(forwardFile, "forward_file"), vars)
        try Self.validate(path: path, what: "forward_file", step: step)
        guard let savedPath else {
            content = Data()
            return
        }
        let saved = StepParameters.expand(savedPath, vars)
        try Self.validate(path: saved, what: "saved_path", step: step)
        if saved.contains("\"") || saved.contains("\\") {
            throw StepRefusal(.invalidParameter(key: "saved_path", value: saved, expected: "holds a quote or backslash, which a .forward line cannot carry"))
        }
        self.savedPath = saved
        // A quoted absolute path is a file delivery; `\user` keeps a local copy without re-reading .forward.
        content = Data(("\"\(saved)\"\n" + (keepLocal ? "\\\(user)\n" : "")).utf8)
    }

    /// Portable login names only: a name becomes a path component and a `.forward` line.
    static func validate(user: String, step: StepInstance) throws {
        guard PortableName.isPortable(user) else {
            throw StepRefusal(.invalidParameter(key: "user", value: user, expected: "not a portable login name (\(PortableName.rule)); no .forward written"))
        }
    }

    /// An absolute path with no `.`/`..` components, no control characters.
    static func validate(path: String, what: String, step: StepInstance) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if !path.hasPrefix("/") || path.hasSuffix("/") || parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty })
            || path.contains(where: \.isASCIIControl) || path.utf8.count > 1024 {
            throw StepRefusal(.invalidParameter(key: what, value: path, expected: "not a clean absolute path (no '.', '..' or empty components)"))
        }
    }
}
