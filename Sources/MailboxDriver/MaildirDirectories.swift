import SafeFiles

/// A Maildir's directories, open for writing as root: reached by `DirectoryWalk` (missing
/// parents created 0755, root's), the Maildir and its `tmp`, `new` and `cur` created 0700 and
/// owned by the mailbox owner, or, when they exist, required to be real directories (never
/// links) that the owner already owns. Everything is written relative to these descriptors.
struct MaildirDirectories {
    let parent: DirectoryHandle
    let name: String
    let root: DirectoryHandle
    let tmp: DirectoryHandle
    let new: DirectoryHandle
    let cur: DirectoryHandle
    /// Created by this call, in order (`abandon` removes them again while empty).
    private let created: [(DirectoryHandle, String)]

    init(path: String, owner: FileOwner) throws {
        guard let (parent, name) = try DirectoryWalk.openParent(of: path, createMissing: true) else {
            throw FileRefusal(path, "its directory could not be reached")
        }
        var created: [(DirectoryHandle, String)] = []
        func open(_ dir: DirectoryHandle, _ sub: String) throws -> DirectoryHandle {
            let (handle, made) = try dir.makeSubdirectory(sub, mode: 0o700, owner: owner)
            if made { created.append((dir, sub)) } else { try handle.requireOwner(owner) }
            return handle
        }
        self.parent = parent
        self.name = name
        root = try open(parent, name)
        tmp = try open(root, "tmp")
        new = try open(root, "new")
        cur = try open(root, "cur")
        self.created = created
    }

    /// `new` or `cur`.
    func subdirectory(_ name: String) -> DirectoryHandle { name == "cur" ? cur : new }

    /// Removes the directories this call created, deepest first, where still empty.
    func abandon() {
        for (dir, sub) in created.reversed() { dir.removeEmptySubdirectory(sub) }
    }
}
