import Diagnostics
import PlanModel

/// Every user of the plan in one array, cut into the batches that run (chunks become numbered
/// sub-batches `staff-1`, `staff-2` …), with where each user was written for diagnostics.
///
/// Invariant: `users` is in batch order; each `RosterBatch.users` is a contiguous range of it;
/// the declared batch `d` owns `origins[d].range`, whose positions are aligned with it.
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
        /// Where each user was written.
        var positions: UserPositions
    }

    var users: [String] = []
    var batches: [RosterBatch] = []
    var origins: [Origin] = []
    /// Lines of users files that are not user names: where they are, never what they say
    /// (the first `Diagnostic.reportLimit` of them), and how many there were in all.
    var rejectedLines: [SourceRange] = []
    var rejectedLineCount = 0

    /// Where user `index` was written, if known.
    func location(ofUser index: Int) -> SourceRange? {
        for o in origins where o.range.contains(index) {
            return o.positions[index - o.range.lowerBound].map { SourceRange(file: o.file, start: $0) }
        }
        return nil
    }

    /// The declared batch name owning user `index`.
    func declaredBatch(ofUser index: Int, in plan: Plan) -> String {
        for (d, o) in origins.enumerated() where o.range.contains(index) { return plan.batches[d].name.value }
        return "?"
    }

    /// Collects users from the plan, users files (relative to `directory`) and `resolved` directory
    /// results, reporting unreadable users files and pending directory searches. A users file's
    /// text is not kept for excerpts: it may hold secrets, and it may be large.
    static func build(
        plan: Plan, directory: String, resolved: [String: [String]], diagnostics: inout DiagnosticList,
        usersFileReader: UsersFileReader = UsersFileReader()
    ) -> UserRoster {
        var roster = UserRoster()
        for (d, batch) in plan.batches.enumerated() {
            let begin = roster.users.count
            var origin = Origin(file: plan.file, range: begin..<begin, positions: .none)
            switch batch.users {
            case .inline(let names, let locations):
                roster.users.append(contentsOf: names)
                origin.positions = .exact(locations)
            case .file(let path):
                let display = PlanSideFile.resolve(path.value, planDirectory: directory)
                switch usersFileReader.read(path: display) {
                case .success(let contents):
                    origin.file = display
                    roster.users.append(contentsOf: contents.names)
                    origin.positions = .packed(contents.positions)
                    roster.rejectedLineCount += contents.rejectedCount
                    let room = max(0, Diagnostic.reportLimit - roster.rejectedLines.count)
                    roster.rejectedLines += contents.rejected.prefix(room).map { SourceRange(file: display, start: $0) }
                case .failure(let failure):
                    diagnostics.append(.usersFileUnusable(path.value, resolved: display, failure, at: path.range))
                }
            case .directory(let filter):
                if let names = resolved[batch.name.value] {
                    roster.users.append(contentsOf: names)
                    // Problems with found users point at the search that found them.
                    origin.positions = .shared(filter.range.start, count: names.count)
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
}
