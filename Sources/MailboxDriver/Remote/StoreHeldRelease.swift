import Foundation

/// The store host's side of a hold release into a Maildir when the hold spool is on another
/// host: the relayed held messages (one mboxrd file, `SourceStream.hold`) go into a private
/// copy (root's, 0600 in a 0700 directory) and are imported from it as a mailbox is, named
/// `h<offset>-<header hash>` and skipped when the Maildir already holds their canonical digest,
/// so a release run again (the same spool, or one with more held mail) adds nothing twice.
/// Nothing is published unless the stream ended with its summary; the copy is removed whatever
/// happens.
enum StoreHeldRelease {
    static func run(_ r: AgentRequest, from input: FrameReader, copyParent: String = "/tmp") throws -> MboxImportReport {
        let maildir = try AgentPaths.checked(r.maildir, "maildir")
        let owner = try StoreSink.ownerIDs(r.owner)
        let zone = try r.zone()
        let copy = try PrivateCopy(name: "held", owner: nil, under: copyParent)
        defer { copy.remove() }
        _ = try StoreCommandImport.receive(input, into: copy)
        let options = MboxImportOptions(variant: .mboxrd, timeZone: zone, tagPrefix: "h", owner: owner, deduplicate: true)
        return try MboxImport.run(file: copy.path, maildir: maildir, options: options)
    }
}
