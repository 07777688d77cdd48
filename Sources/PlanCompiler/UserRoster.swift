import Diagnostics
import Foundation
import PlanModel

/// Every user of the plan in one array, cut into the batches that run (chunks become numbered
/// sub-batches `staff-1`, `staff-2` …), with where each user was written for diagnostics.
///
/// Invariant: `users` is in batch order; each `RosterBatch.users` is a contiguous range of it;
/// the declared batch `d` owns `origins[d].range`, whose locations are aligned with it.
struct UserRoster {
    struct RosterBatch {
        var name: String
        /// Index of the batch in `plan.batches`.
        var declared: Int
        /// 1-based chunk number, nil when the batch is not chunked.
        var chunk: Int?
        var users: Range<Int>
    }

    struct Origin {
        var file: String
        var range: Range<Int>
        /// Where each user was written (empty for directory results).
        var locations: [SourceLocation]
    }

    var users: [String] = []
    var batches: [RosterBatch] = []
    var origins: [Origin] = []

    /// Where user `index` was written, if known.
    func location(ofUser index: Int) -> SourceRange? {
        for o in origins where o.range.contains(index) {
            let i = index - o.range.lowerBound
            guard i < o.locations.count else { return nil }
            return SourceRange(file: o.file, start: o.locations[i])
        }
        return nil
    }

    /// The declared batch name owning user `index`.
    func declaredBatch(ofUser index: Int, in plan: Plan) -> String {
        for (d, o) in origins.enumerated() where o.range.contains(index) { return plan.batches[d].name.value }
        return "?"
    }

    /// Collects users from the plan, users files (relative to `directory`) and `resolved` directory
    /// results, reporting unreadable users files and pending directory searches.
    static func build(
        plan: Plan, directory: String, resolved: [String: [String]], diagnostics: inout DiagnosticList,
        sources: inout [String: String]
    ) -> UserRoster {
        var roster = UserRoster()
        for (d, batch) in plan.batches.enumerated() {
            let begin = roster.users.count
            var origin = Origin(file: plan.file, range: begin..<begin, locations: [])
            switch batch.users {
            case .inline(let names, let locations):
                roster.users.append(contentsOf: names)
                origin.locations = locations
            case .file(let path):
                let display = path.value.hasPrefix("/") ? path.value : (directory == "." ? path.value : directory + "/" + path.value)
                if let data = FileManager.default.contents(atPath: display), let text = String(validating: data, as: UTF8.self) {
                    origin.file = display
                    sources[display] = text
                    data.withUnsafeBytes { readUsersFile($0, into: &roster.users, locations: &origin.locations) }
                } else {
                    diagnostics.append(.usersFileMissing(path.value, resolved: display, at: path.range))
                }
            case .directory(let filter):
                if let names = resolved[batch.name.value] {
                    roster.users.append(contentsOf: names)
                    // Problems with found users point at the search that found them.
                    origin.locations = Array(repeating: filter.range.start, count: names.count)
                } else {
                    diagnostics.append(.usersFromPending(batch.name.value, at: filter.range))
                }
            case .missing:
                break
            }
            origin.range = begin..<roster.users.count
            roster.origins.append(origin)
            roster.cut(batch, declared: d, range: origin.range)
        }
        return roster
    }

    private mutating func cut(_ batch: BatchSpec, declared: Int, range: Range<Int>) {
        guard let size = batch.chunk?.value, size > 0 else {
            batches.append(RosterBatch(name: batch.name.value, declared: declared, chunk: nil, users: range))
            return
        }
        var start = range.lowerBound
        var n = 1
        repeat {
            let end = min(start + size, range.upperBound)
            batches.append(RosterBatch(name: "\(batch.name.value)-\(n)", declared: declared, chunk: n, users: start..<end))
            start = end
            n += 1
        } while start < range.upperBound
    }

    /// One user per line; blank lines and `#` comments are skipped; surrounding blanks trimmed.
    private static func readUsersFile(_ bytes: UnsafeRawBufferPointer, into users: inout [String], locations: inout [SourceLocation]) {
        var line = 1
        var i = 0
        let n = bytes.count
        users.reserveCapacity(users.count + n / 8)
        locations.reserveCapacity(locations.count + n / 8)
        while i < n {
            var start = i
            var end = i
            while end < n, bytes[end] != 0x0A { end += 1 }
            let next = end + 1
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            var stop = end
            while stop > start, bytes[stop - 1] == 0x20 || bytes[stop - 1] == 0x09 || bytes[stop - 1] == 0x0D { stop -= 1 }
            if stop > start, bytes[start] != UInt8(ascii: "#") {
                users.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self))
                locations.append(SourceLocation(line: line, column: start - i + 1, offset: start))
            }
            line += 1
            i = next
        }
    }
}
