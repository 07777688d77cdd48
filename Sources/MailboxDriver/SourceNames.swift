/// The Maildir name mailshift gives each message of a source as it stands now (tag, digest,
/// size, date, flags): what an import would write, so what a pre-copy's files must be called.
struct SourceNames: MboxConsumer {
    let prefix: String
    var names: [MaildirName] = []
    private var digest = MessageKey()
    private var tag = ""

    init(prefix: String) { self.prefix = prefix }

    mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool {
        tag = MessageTag.make(prefix, offset: head.offset, headers: headers)
        digest = MessageKey()
        digest.update(headers)
        return true
    }

    mutating func body(_ bytes: UnsafeRawBufferPointer) throws { digest.update(bytes) }

    mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws {
        names.append(MaildirName(date: head.from.date, tag: tag, digest: digest.finalize(), size: storedBytes, flags: head.flags))
    }

    /// Every name, read from `file` now.
    static func read(_ file: String, options: MboxImportOptions) throws -> [MaildirName] {
        let reader = try MboxReader(path: file, variant: options.variant, timeZone: options.timeZone, ifAmbiguous: options.ifAmbiguous)
        var c = SourceNames(prefix: options.tagPrefix)
        try reader.read(into: &c)
        return c.names
    }
}
