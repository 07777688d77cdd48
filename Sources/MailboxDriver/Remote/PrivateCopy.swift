import Glibc
import SafeFiles

/// The store host's private copy of a relayed mailbox (see `StoreCommandImport`): a fresh
/// `mkdtemp` directory, reached and used through descriptors (`DirectoryWalk`, `DirectoryHandle`),
/// holding one file created `O_EXCL|O_NOFOLLOW`, 0600 and given to the mailbox's owner.
final class PrivateCopy {
    let path: String
    let fd: Int32
    private let parent: DirectoryHandle
    private let directory: DirectoryHandle
    private let name: String

    init(name: String, owner: (uid: uid_t, gid: gid_t)?, under base: String = "/tmp") throws {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else { throw AgentFailure(message: "no usable copy name '\(name)'") }
        var template = Array("\(base)/mailshift-import-XXXXXX".utf8CString)
        guard let madePointer = mkdtemp(&template) else {
            throw AgentFailure(message: "cannot make a private directory under \(base): \(String(cString: strerror(errno)))", transient: true)
        }
        let made = String(cString: madePointer)
        let madeName = String(made.split(separator: "/").last!)
        do {
            guard let parent = try DirectoryWalk.open(base), let directory = try parent.subdirectory(madeName) else {
                rmdir(made)
                throw AgentFailure(message: "cannot open \(made)", transient: true)
            }
            (self.parent, self.directory, self.name, path) = (parent, directory, name, made + "/" + name)
            do {
                // The owner reads the file by name; the directory lists nothing to anyone else.
                if owner != nil, fchmod(directory.fd, 0o711) != 0 { throw FileRefusal(made, "cannot chmod", errorNumber: errno) }
                fd = try directory.createFile(name, mode: 0o600, owner: owner.map { FileOwner(uid: $0.uid, gid: $0.gid) })
            } catch {
                parent.removeEmptySubdirectory(madeName)
                throw error
            }
        } catch let failure as AgentFailure {
            throw failure
        } catch {
            rmdir(made)
            throw AgentFailure(message: "cannot make the private copy \(made)/\(name): \(error)", transient: true)
        }
    }

    private var removed = false

    /// Removes the file and the directory through their descriptors; once.
    func remove() {
        guard !removed else { return }
        removed = true
        try? directory.removeFile(name)
        parent.removeEmptySubdirectory(String(directory.path.split(separator: "/").last!))
    }

    deinit {
        close(fd)
    }
}
