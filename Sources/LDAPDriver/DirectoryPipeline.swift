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
    ///
    /// For a plain `(attr={user})` template, users are looked up `chunk` at a time with one
    /// `(|(attr=u1)(attr=u2)...)` search, and each entry is given to the user its `attr` names
    /// (compared case- and space-insensitively, so a match is never missed). Any user not given
    /// exactly one entry is searched again on its own, so "none" and "several" keep the exact
    /// per-user meaning; batching only saves round trips.
    func lookup(
        users: [String], base: String, template: String, attributes: [String], chunk: Int = lookupChunk
    ) throws -> [Result<LDAPEntry, LDAPFailure>] {
        let single = { (indices: [Int]) in
            try self.searchEach(indices.map { Query(user: users[$0], base: base, filter: LDAPFilter.filter(template: template, user: users[$0]), baseOnly: false) },
                                attributes: attributes).map(\.exactlyOne)
        }
        guard let attribute = LDAPFilter.equalityAttribute(template: template), users.count > 1 else {
            return try single(Array(users.indices))
        }
        let ranges = stride(from: 0, to: users.count, by: max(1, chunk)).map { $0..<min(users.count, $0 + max(1, chunk)) }
        let queries = ranges.map { r in
            Query(user: users[r.lowerBound], base: base,
                  filter: "(|" + users[r].map { LDAPFilter.filter(template: template, user: $0) }.joined() + ")", baseOnly: false)
        }
        let answers = try searchEach(queries, attributes: attributes + [attribute])
        var results = [Result<LDAPEntry, LDAPFailure>?](repeating: nil, count: users.count)
        var again: [Int] = []
        for (range, answer) in zip(ranges, answers) {
            guard case .success(let entries) = answer.entries else { again += range; continue }
            var byName: [String: [LDAPEntry]] = [:]
            for entry in entries {
                for name in Set(entry.values(attribute).map(Self.normalized)) { byName[name, default: []].append(entry) }
            }
            for i in range {
                if let matches = byName[Self.normalized(users[i])], matches.count == 1 {
                    results[i] = .success(matches[0])
                } else {
                    again.append(i)
                }
            }
        }
        for (i, result) in zip(again, try single(again)) { results[i] = result }
        return results.map { $0 ?? .failure(LDAPFailure(.result(.localError), operation: "search")) }
    }

    /// Users per batched lookup search.
    static let lookupChunk = 100

    /// Searches `lookup` makes for `count` users before any retry on its own.
    static func lookupSearches(_ count: Int, template: String) -> Int {
        guard LDAPFilter.equalityAttribute(template: template) != nil, count > 1 else { return count }
        return (count + lookupChunk - 1) / lookupChunk
    }

    /// Case-folded, trimmed, inner spaces collapsed: coarser than caseIgnoreMatch, never finer.
    private static func normalized(_ value: String) -> String {
        let lowered = value.lowercased()
        guard lowered.utf8.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 >= 0x80 }) else { return lowered }
        return lowered.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Reads each entry by DN (a base search); a vanished entry is a `noSuchObject` failure.
    func read(_ entries: [(user: String, dn: String)], attributes: [String]) throws -> [Result<LDAPEntry, LDAPFailure>] {
        let queries = entries.map { Query(user: $0.user, base: $0.dn, filter: "(objectClass=*)", baseOnly: true) }
        return try searchEach(queries, attributes: attributes).map(\.exactlyOne)
    }

    struct Query {
        var user: String
        var base: String
        var filter: String
        var baseOnly: Bool
    }

    /// What one search found (or why it failed), for the user it was made for.
    struct Answer {
        var user: String
        var base: String
        var entries: Result<[LDAPEntry], LDAPFailure>

        var exactlyOne: Result<LDAPEntry, LDAPFailure> {
            switch entries {
            case .failure(let f): return .failure(f)
            case .success(let list) where list.count == 1: return .success(list[0])
            case .success(let list) where list.isEmpty:
                return .failure(LDAPFailure(.noEntry, operation: "search", user: user, dn: base))
            case .success(let list):
                return .failure(LDAPFailure(.ambiguous(list.count), operation: "search",
                                            message: list.prefix(3).map(\.dn).joined(separator: "; "), user: user, dn: base))
            }
        }
    }

    /// One search per query, pipelined within the window.
    func searchEach(_ queries: [Query], attributes: [String]) throws -> [Answer] {
        var results = [Answer?](repeating: nil, count: queries.count)
        var found: [Int32: (index: Int, entries: [LDAPEntry])] = [:]
        var nextIndex = 0
        while nextIndex < queries.count || !found.isEmpty {
            while found.count < window && nextIndex < queries.count {
                let query = queries[nextIndex]
                do {
                    let msgid = try connection.search(base: query.base, filter: query.filter, attributes: attributes,
                                                      baseOnly: query.baseOnly)
                    found[msgid] = (nextIndex, [])
                } catch var failure as LDAPFailure {
                    failure.user = query.user
                    if failure.disposition == .transient { throw failure }
                    results[nextIndex] = Answer(user: query.user, base: query.base, entries: .failure(failure))
                }
                nextIndex += 1
            }
            guard !found.isEmpty, let event = try readEvent() else { continue }
            switch event {
            case .entry(let msgid, let entry):
                found[msgid]?.entries.append(entry)
            case .done(let msgid, let outcome):
                guard let item = found.removeValue(forKey: msgid) else { continue }
                let query = queries[item.index]
                if outcome.code != .success {
                    let failure = LDAPFailure(.result(outcome.code), operation: "search", message: outcome.message,
                                              user: query.user, dn: query.base)
                    if failure.disposition == .transient { throw failure }
                    results[item.index] = Answer(user: query.user, base: query.base, entries: .failure(failure))
                } else {
                    results[item.index] = Answer(user: query.user, base: query.base, entries: .success(item.entries))
                }
            }
        }
        return results.enumerated().map { i, answer in
            answer ?? Answer(user: queries[i].user, base: queries[i].base,
                             entries: .failure(LDAPFailure(.result(.localError), operation: "search")))
        }
    }

    /// Sends each modify request; returns the permanent failures by item index.
    func modify(_ items: [(user: String, dn: String, modifications: [LDAPModification])]) throws -> [Int: LDAPFailure] {
        try each(items.count, operation: "modify", user: { items[$0].user }, dn: { items[$0].dn }) {
            try connection.modify(dn: items[$0].dn, items[$0].modifications)
        }
    }

    private func readEvent() throws -> LDAPEvent? { try connection.next() }
}

/// Splits `0..<count` into at most `parts` contiguous, nearly equal ranges.
func slices(_ count: Int, parts: Int) -> [Range<Int>] {
    let parts = max(1, min(parts, count))
    guard count > 0 else { return [] }
    return (0..<parts).map { p in (count * p / parts)..<(count * (p + 1) / parts) }
}
