/// A lab slapd's part in replication, for testing `directory.replicas`: a provider (the
/// `syncprov` overlay) or a syncrepl consumer of a provider's URL. A consumer starts empty and
/// receives the whole tree, service accounts included, from its provider.
public enum SlapdReplication: Sendable, Hashable {
    case provider
    case consumer(of: String)

    static func lines(_ r: SlapdReplication?, layout: DirectoryLayout) -> [String] {
        switch r {
        case nil: return []
        case .provider:
            return ["index entryCSN,entryUUID eq", "overlay syncprov", "syncprov-checkpoint 100 1"]
        case .consumer(let url):
            return [
                "index entryCSN,entryUUID eq",
                "syncrepl rid=001 provider=\(url) bindmethod=simple binddn=\"\(layout.rootDN)\" credentials=\(layout.rootPassword)"
                    + " searchbase=\"\(layout.suffix)\" type=refreshAndPersist retry=\"1 +\" timeout=3",
            ]
        }
    }

    var isConsumer: Bool {
        if case .consumer = self { return true }
        return false
    }
}
