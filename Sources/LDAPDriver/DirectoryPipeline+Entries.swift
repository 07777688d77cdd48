/// Modifying, adding and deleting entries, pipelined: at most `window` requests outstanding;
/// permanent failures per item, transient ones thrown.
extension DirectoryPipeline {
    func add(_ items: [(user: String, dn: String, attributes: [(name: String, values: [String])])]) throws -> [Int: LDAPFailure] {
        try each(items.count, operation: "add", user: { items[$0].user }, dn: { items[$0].dn }) {
            try connection.add(dn: items[$0].dn, items[$0].attributes)
        }
    }

    func delete(_ items: [(user: String, dn: String)]) throws -> [Int: LDAPFailure] {
        try each(items.count, operation: "delete", user: { items[$0].user }, dn: { items[$0].dn }) {
            try connection.delete(dn: items[$0].dn)
        }
    }

    func each(
        _ count: Int, operation: String, user: (Int) -> String, dn: (Int) -> String, send: (Int) throws -> Int32
    ) throws -> [Int: LDAPFailure] {
        var failures: [Int: LDAPFailure] = [:]
        var outstanding: [Int32: Int] = [:]
        var next = 0
        while next < count || !outstanding.isEmpty {
            while outstanding.count < window && next < count {
                do {
                    outstanding[try send(next)] = next
                } catch var failure as LDAPFailure {
                    failure.user = user(next)
                    if failure.disposition == .transient { throw failure }
                    failures[next] = failure
                }
                next += 1
            }
            guard !outstanding.isEmpty, let event = try connection.next() else { continue }
            guard case .done(let msgid, let outcome) = event, let index = outstanding.removeValue(forKey: msgid) else { continue }
            guard outcome.code != .success else { continue }
            let failure = LDAPFailure(.result(outcome.code), operation: operation, message: outcome.message, user: user(index), dn: dn(index))
            if failure.disposition == .transient { throw failure }
            failures[index] = failure
        }
        return failures
    }
}
