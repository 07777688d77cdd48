import Glibc
import SafeFiles

/// Where the lab keeps passwords (slapd's root password in slapd.conf, the migrator's in the
/// LDIF and the bind-password files): directories 0700 and files 0600, whatever the umask or
/// whatever mode a directory had, each file written whole before it gets its name.
enum LabSecrets {
    /// The directory at `path`, created when missing, made 0700.
    static func directory(_ path: String) throws -> DirectoryHandle {
        guard let dir = try DirectoryWalk.open(path, createMissing: true, mode: 0o700) else { throw FileRefusal(path, "could not be created") }
        guard fchmod(dir.fd, 0o700) == 0 else { throw FileRefusal(path, "cannot chmod to 0700") }
        return dir
    }

    /// Writes `text` to `name` in `dir`, mode 0600.
    static func write(_ text: String, to name: String, in dir: DirectoryHandle) throws {
        try dir.replaceFile(name, with: Array(text.utf8), mode: 0o600, owner: nil)
    }

    /// Writes `text` to the file at `path` (its directory made 0700), mode 0600.
    static func write(_ text: String, toFile path: String) throws {
        let (dir, name) = try DirectoryWalk.split(path)
        try write(text, to: name, in: directory(dir))
    }

    /// Writes `text` to the file at `path`, mode 0640, root's and readable by `group` (a
    /// daemon's, for its LDAP password): whole and with that mode before it gets its name.
    static func write(_ text: String, toFile path: String, readableBy group: gid_t) throws {
        guard let (dir, name) = try DirectoryWalk.openParent(of: path) else { throw FileRefusal(path, "its directory is missing") }
        try dir.replaceFile(name, with: Array(text.utf8), mode: 0o640, owner: FileOwner(uid: 0, gid: group))
    }
}
