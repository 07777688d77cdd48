/// Many directory operations in flight on one connection: at most `window` outstanding, each
/// answer matched to its request by message id (`ldap_result` on this handle only).
///
/// A transient failure (connection lost, timeout) aborts the pipeline and is thrown: the caller
/// retries the whole call on a new connection, and since the work is idempotent nothing is
/// doubled. Permanent failures are per item and returned, so one bad user does not hide the rest.
struct DirectoryPipeline {
    let connection: LDAPConnection
    let window: Int

    init(_ connection: LDAPConnection, window: Int) {
        self.connection = connection
        self.window = max(1, window)
    }

    /// Finds each user's single entry under `base` with the filter template, reading `attributes`.
    func lookup(users: [String], base: String, template: String, attributes: [String]) throws -> [Result<LDAPEntry, LDAPFailure>] {
        let queries = users.map { Query(user: $0, base: base, filter: LDAPFilter.filter(template: template, user: $0), baseOnly: false) }
        return try searchEach(queries, attributes: attributes)
    }

    /// Reads each entry by DN (a base search); a vanished entry is a `noSuchObject` failure.
    func read(_ entries: [(user: String, dn: String)], attributes: [String]) throws -> [Result<LDAPEntry, LDAPFailure>] {
        let queries = entries.map { Query(user: $0.user, base: $0.dn, filter: "(objectClass=*)", baseOnly: true) }
        return try searchEach(queries, attributes: attributes)
    }

    struct Query {
        var user: String
        var base: String
        var filter: String
        var baseOnly: Bool
    }

    /// One search per query, pipelined; each must find exactly one entry.
    func searchEach(_ queries: [Query], attributes: [String]) throws -> [Result<LDAPEntry, LDAPFailure>] {
        let users = queries.map(\.user)
        var results = [Result<LDAPEntry, LDAPFailure>?](repeating: nil, count: users.count)
        var found: [Int32: (index: Int, entries: [LDAPEntry])] = [:]
        var nextIndex = 0
        while nextIndex < users.count || !found.isEmpty {
            while found.count < window && nextIndex < users.count {
                let query = queries[nextIndex]
                do {
                    let msgid = try connection.search(base: query.base, filter: query.filter, attributes: attributes,
                                                      baseOnly: query.baseOnly)
                    found[msgid] = (nextIndex, [])
                } catch var failure as LDAPFailure {
                    failure.user = users[nextIndex]
                    if failure.disposition == .transient { throw failure }
                    results[nextIndex] = .failure(failure)
                }
                nextIndex += 1
            }
            guard !found.isEmpty else { continue }
            guard let event = try readEvent() else { continue }
            switch event {
            case .entry(let msgid, let entry):
                found[msgid]?.entries.append(entry)
            case .done(let msgid, let outcome):
                guard let item = found.removeValue(forKey: msgid) else { continue }
                let user = users[item.index]
                let base = queries[item.index].base
                if outcome.code != .success {
                    let failure = LDAPFailure(.result(outcome.code), operation: "search", message: outcome.message, user: user, dn: base)
                    if failure.disposition == .transient { throw failure }
                    results[item.index] = .failure(failure)
                } else if item.entries.count == 1 {
                    results[item.index] = .success(item.entries[0])
                } else if item.entries.isEmpty {
                    results[item.index] = .failure(LDAPFailure(.noEntry, operation: "search", user: user, dn: base))
                } else {
                    let failure = LDAPFailure(.ambiguous(item.entries.count), operation: "search",
                                              message: item.entries.prefix(3).map(\.dn).joined(separator: "; "), user: user, dn: base)
                    results[item.index] = .failure(failure)
                }
            }
        }
        return results.map { $0 ?? .failure(LDAPFailure(.result(.localError), operation: "search")) }
    }

    /// Sends each modify request; returns the permanent failures by item index.
    func modify(_ items: [(user: String, dn: String, modifications: [LDAPModification])]) throws -> [Int: LDAPFailure] {
        var failures: [Int: LDAPFailure] = [:]
        var outstanding: [Int32: Int] = [:]
        var nextIndex = 0
        while nextIndex < items.count || !outstanding.isEmpty {
            while outstanding.count < window && nextIndex < items.count {
                let item = items[nextIndex]
                do {
                    outstanding[try connection.modify(dn: item.dn, item.modifications)] = nextIndex
                } catch var failure as LDAPFailure {
                    failure.user = item.user
                    if failure.disposition == .transient { throw failure }
                    failures[nextIndex] = failure
                }
                nextIndex += 1
            }
            guard !outstanding.isEmpty, let event = try readEvent() else { continue }
            guard case .done(let msgid, let outcome) = event, let index = outstanding.removeValue(forKey: msgid) else { continue }
            guard outcome.code != .success else { continue }
            let failure = LDAPFailure(.result(outcome.code), operation: "modify", message: outcome.message,
                                      user: items[index].user, dn: items[index].dn)
            if failure.disposition == .transient { throw failure }
            failures[index] = failure
        }
        return failures
    }

    private func readEvent() throws -> LDAPEvent? { try connection.next() }
}

/// Splits `0..<count` into at most `parts` contiguous, nearly equal ranges.
func slices(_ count: Int, parts: Int) -> [Range<Int>] {
    let parts = max(1, min(parts, count))
    guard count > 0 else { return [] }
    return (0..<parts).map { p in (count * p / parts)..<(count * (p + 1) / parts) }
}
