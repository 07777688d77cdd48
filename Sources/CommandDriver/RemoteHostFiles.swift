import Foundation
import Steps

/// `HostFiles` on a remote host, through the transport. Each operation is a fixed `sh -c` script;
/// paths, owners and contents travel only as quoted positional arguments or stdin, never inside
/// the script text.
///
/// The scripts work on paths, so a user racing them on the host can still swap a name between a
/// check and its use; where GNU dd is there, the read itself refuses a link (`iflag=nofollow`).
/// Mode and owner are neither read nor restored here yet, and no directory is walked safely: an
/// agent on the host doing what `LocalHostFiles` does is the fix.
struct RemoteHostFiles: HostFiles {
    var host: HostEndpoint
    var transport: any CommandTransport
    var timeout: Double = 60

    static let readScript = """
        f=$1
        if [ -h "$f" ]; then echo "is a symbolic link; mailshift does not follow it" >&2; exit 3; fi
        if [ ! -e "$f" ]; then exit 4; fi
        if [ ! -f "$f" ]; then echo "is not a regular file" >&2; exit 5; fi
        n=$(wc -c < "$f") || exit 6
        if [ "$n" -gt "$2" ]; then echo "is larger than $2 bytes" >&2; exit 6; fi
        if dd if=/dev/null of=/dev/null iflag=nofollow status=none 2>/dev/null; then
          exec dd if="$f" iflag=nofollow bs=65536 status=none
        fi
        exec cat < "$f"
        """

    static let writeScript = """
        set -e
        f=$1; owner=$2
        d=$(dirname -- "$f"); b=$(basename -- "$f")
        [ -d "$d" ] || { echo "its directory does not exist" >&2; exit 4; }
        t="$d/.$b.mailshift-$$"
        trap 'rm -f -- "$t"' EXIT
        umask 077
        set -C
        cat > "$t"
        set +C
        if [ -n "$owner" ]; then chown -- "$owner" "$t"; fi
        chmod 600 -- "$t"
        sync -- "$t" 2>/dev/null || sync
        mv -f -- "$t" "$f"
        sync -- "$d" 2>/dev/null || true
        trap - EXIT
        """

    static let prepareScript = """
        set -e
        f=$1; owner=$2
        if [ -h "$f" ]; then echo "is a symbolic link; mailshift does not follow it" >&2; exit 3; fi
        if [ -e "$f" ]; then
          [ -f "$f" ] || { echo "is not a regular file" >&2; exit 5; }
          exit 0
        fi
        d=$(dirname -- "$f")
        [ -d "$d" ] || (umask 022; mkdir -p -- "$d")
        umask 077
        set -C
        : > "$f"
        set +C
        if [ -n "$owner" ]; then chown -- "$owner" "$f"; fi
        chmod 600 -- "$f"
        sync -- "$d" 2>/dev/null || sync
        exit 10
        """

    static let removeScript = """
        if [ -h "$1" ]; then echo "is a symbolic link" >&2; exit 3; fi
        rm -f -- "$1"
        """

    private func run(_ script: String, _ args: [String], stdin: Data? = nil) async throws -> CommandOutcome {
        try await transport.run(["sh", "-c", script, "sh"] + args, on: host, stdin: stdin, timeout: timeout)
    }

    private func fail(_ path: String, _ outcome: CommandOutcome, _ what: String) -> HostFileFailure {
        let why = outcome.stderr.tailText(300)
        return HostFileFailure(host: host.name, path: path, problem: why.isEmpty ? "\(what) failed (status \(outcome.status))" : why)
    }

    func read(_ path: String) async throws -> ForwardFileState {
        let outcome = try await run(Self.readScript, [path, String(forwardSizeLimit)])
        switch outcome.status {
        case 0:
            guard outcome.stdout.count <= forwardSizeLimit else {
                throw HostFileFailure(host: host.name, path: path, problem: "is larger than \(forwardSizeLimit) bytes")
            }
            return .present(outcome.stdout)
        case 4: return .absent
        default: throw fail(path, outcome, "reading")
        }
    }

    /// Mode and owner are not read over ssh yet (the shell scripts work on paths): nil.
    func readWithAttributes(_ path: String) async throws -> (ForwardFileState, ForwardFileAttributes?) {
        (try await read(path), nil)
    }

    /// `attributes` are not applied over ssh yet: the file is written 0600, owned by `owner`.
    func write(_ path: String, _ data: Data, owner: String?, attributes: ForwardFileAttributes?) async throws {
        let outcome = try await run(Self.writeScript, [path, owner ?? ""], stdin: data)
        guard outcome.status == 0 else { throw fail(path, outcome, "writing") }
    }

    func prepareAppendTarget(_ path: String, owner: String?) async throws -> Bool {
        let outcome = try await run(Self.prepareScript, [path, owner ?? ""])
        switch outcome.status {
        case 0: return false
        case 10: return true
        default: throw fail(path, outcome, "preparing")
        }
    }

    func remove(_ path: String) async throws {
        let outcome = try await run(Self.removeScript, [path])
        guard outcome.status == 0 else { throw fail(path, outcome, "removing") }
    }
}
