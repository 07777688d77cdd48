import Diagnostics
import Foundation
import PlanModel

/// The group entries (mailing lists) each batch moves: `groups:` as written plus the names in its
/// `groups_file` (one per line, `#` comments and blank lines skipped). A chunked batch's groups
/// move with its first chunk. Group names are LDAP values, not user names: any text without
/// control characters goes, and it is escaped when it reaches a filter.
struct GroupRoster {
    /// Per roster batch (chunks included), the group names it moves.
    private(set) var byBatch: [[String]] = []

    /// A groups file larger than this is surely the wrong file.
    static let byteLimit = 4 << 20

    static func build(plan: Plan, roster: UserRoster, directory: String, diagnostics: inout DiagnosticList) -> GroupRoster {
        var declared = [[String]](repeating: [], count: plan.batches.count)
        var seen: [String: SourceRange] = [:]
        for (d, batch) in plan.batches.enumerated() {
            var names: [(String, SourceRange)] = batch.groups.map { ($0.value, $0.range) }
            if let file = batch.groupsFile {
                let path = PlanSideFile.resolve(file.value, planDirectory: directory)
                switch read(path) {
                case .success(let lines): names += lines.map { ($0, file.range) }
                case .failure(let why): diagnostics.append(.groupsFileUnusable(file.value, why: why, at: file.range))
                }
            }
            for (name, range) in names {
                if name.isEmpty || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    diagnostics.append(.badGroupName(name, at: range))
                } else if let first = seen[name.lowercased()] {
                    diagnostics.append(.duplicateGroup(name, at: range, first: first))
                } else {
                    seen[name.lowercased()] = range
                    declared[d].append(name)
                }
            }
        }
        if let d = plan.directory, declared.contains(where: { !$0.isEmpty }), !d.groupFilter.contains("{group}") || d.groupFilter.contains("{user}") {
            diagnostics.append(.groupFilterWithoutPlaceholder(d.groupFilter, at: d.range))
        }
        var out = GroupRoster()
        out.byBatch = roster.batches.map { rb in (rb.chunk ?? 1) == 1 ? declared[rb.declared] : [] }
        return out
    }

    /// The file's names, or why it cannot be used (read as a `PlanSideFile`).
    static func read(_ path: String) -> Result<[String], GroupsFileProblem> {
        PlanSideFile.readText(path, limit: byteLimit).map { text in
            text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
    }
}

typealias GroupsFileProblem = PlanSideFile.Problem

extension Diagnostic {
    static func groupsFileUnusable(_ path: String, why: GroupsFileProblem, at range: SourceRange) -> Diagnostic {
        .error("compiler.groups-file", "groups_file '\(path)' cannot be used: \(why)", at: range,
            hint: "name a text file with one group name per line, relative to the plan")
    }

    static func groupFilterWithoutPlaceholder(_ filter: String, at range: SourceRange) -> Diagnostic {
        .error("compiler.group-filter", "directory.group_filter '\(filter)' must name '{group}' (and not '{user}'): it finds each group's entry", at: range,
            hint: "e.g. group_filter: \"(&(objectClass=groupOfUniqueNames)(cn={group}))\"")
    }

    static func badGroupName(_ name: String, at range: SourceRange) -> Diagnostic {
        .error("compiler.group-name", "group name '\(TerminalSafeText.escape(name))' is empty or holds control characters", at: range,
            hint: "write the group's name as its filter's {group} matches it, e.g. its cn")
    }

    static func duplicateGroup(_ name: String, at range: SourceRange, first: SourceRange) -> Diagnostic {
        .error("compiler.duplicate-group", "group '\(name)' is listed twice: a group moves with one batch", at: range,
            hint: "keep it in one batch", notes: [.init(message: "first listed here", range: first)])
    }
}
