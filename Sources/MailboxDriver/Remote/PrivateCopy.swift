import Glibc

/// The store host's private copy of a relayed mailbox (see `StoreCommandImport`).
final class PrivateCopy {
    let path: String
    let fd: Int32
    private let parent: Int32
    private let directory: Int32
    private let directoryName: String
    private let name: String

    init(name: String, owner: (uid: uid_t, gid: gid_t)?, under base: String = "/tmp") throws {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else { throw AgentFailure(message: "no usable copy name '\(name)'") }
        var template = Array("\(base)/mailshift-import-XXXXXX".utf8CString)
        guard let madePointer = mkdtemp(&template) else {
            throw AgentFailure(message: "cannot make a private directory under \(base): \(String(cString: strerror(errno)))", transient: true)
        }
        let made = String(cString: madePointer)
        directoryName = String(made.split(separator: "/").last!)
        parent = open(base, O_DIRECTORY | O_RDONLY | O_CLOEXEC)
        directory = open(made, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard parent >= 0, directory >= 0 else {
            let e = errno
            for d in [parent, directory] where d >= 0 { close(d) }
            rmdir(made)
            throw AgentFailure(message: "cannot open \(made): \(String(cString: strerror(e)))", transient: true)
        }
        self.name = name
        path = made + "/" + name
        fd = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let e = errno
            _ = unlinkat(parent, directoryName, AT_REMOVEDIR)
            close(directory)
            close(parent)
            throw AgentFailure(message: "cannot create \(path): \(String(cString: strerror(e)))", transient: true)
        }
        // The owner reads the file; the directory lets anyone pass by name but list nothing.
        if let owner, fchown(fd, owner.uid, owner.gid) != 0 || fchmod(directory, 0o711) != 0 {
            let e = errno
            remove()
            throw AgentFailure(message: "cannot give \(path) to uid \(owner.uid): \(String(cString: strerror(e)))")
        }
    }

    private var removed = false

    /// Removes the file and the directory through their descriptors; once.
    func remove() {
        guard !removed else { return }
        removed = true
        _ = unlinkat(directory, name, 0)
        _ = unlinkat(parent, directoryName, AT_REMOVEDIR)
    }

    deinit {
        for d in [fd, directory, parent] where d >= 0 { close(d) }
    }
}
