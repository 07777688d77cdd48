import Digest
import MailboxDriver

/// Test consumer: keeps each message's stored bytes (small corpora only) and head.
struct MboxCollector: MboxConsumer {
    struct Item {
        var head: MboxMessageHead
        var bytes: [UInt8]
        var storedBytes: Int
        var sha256: String { SHA256.hash(bytes).hexString }
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }
    var items: [Item] = []
    var current: [UInt8] = []

    mutating func begin(_ head: MboxMessageHead, headers: UnsafeRawBufferPointer) throws -> Bool {
        current = Array(headers)
        return true
    }

    mutating func body(_ bytes: UnsafeRawBufferPointer) throws { current += bytes }

    mutating func end(_ head: MboxMessageHead, storedBytes: Int, endOffset: Int) throws {
        items.append(Item(head: head, bytes: current, storedBytes: storedBytes))
    }

    static func read(
        _ path: String, _ variant: MboxVariant = .auto, timeZone: String = "UTC", ifAmbiguous: AmbiguousReading = .refuse
    ) throws -> (MboxCollector, MboxReader) {
        let reader = try MboxReader(path: path, variant: variant, timeZone: TimeZone(identifier: timeZone)!, ifAmbiguous: ifAmbiguous)
        var c = MboxCollector()
        try reader.read(into: &c)
        return (c, reader)
    }
}

import Foundation
