import Diagnostics
import PlanModel

/// `directory.create.from` read once per compile: the rows whose columns fill the create
/// template, or the diagnostics saying why the file cannot be used (a faulty line named by the
/// file's own path and line, so an editor jumps there).
enum CreateRows {
    static func build(plan: Plan, directory: String, diagnostics: inout DiagnosticList) -> (path: String, rows: CreateRowsFile)? {
        guard let from = plan.directory?.create?.from else { return nil }
        let path = PlanSideFile.resolve(from.value, planDirectory: directory)
        switch CreateRowsFile.load(path) {
        case .success(let rows): return (from.value, rows)
        case .failure(.line(let line, let why)):
            diagnostics.append(.createRowsLine(from.value, why, at: SourceRange(file: path, start: SourceLocation(line: line, column: 1)), named: from.range))
        case .failure(let problem):
            diagnostics.append(.createRowsUnusable(from.value, problem, at: from.range))
        }
        return nil
    }
}

extension Diagnostic {
    static func createRowsUnusable(_ path: String, _ problem: CreateRowsFile.Problem, at range: SourceRange) -> Diagnostic {
        .error("compiler.create-from", "directory.create.from '\(path)' cannot be used: \(problem)", at: range,
            hint: "name a CSV file whose header names a 'user' column, or an LDIF file of entries with 'uid'; the path is relative to the plan")
    }

    static func createRowsLine(_ path: String, _ why: String, at range: SourceRange, named: SourceRange) -> Diagnostic {
        .error("compiler.create-from", "directory.create.from '\(path)', line \(range.start.line): \(why) (the line's text is not shown)", at: range,
            hint: "fix that line; a CSV row has as many fields as the header (quote a field holding a comma)",
            notes: [.init(message: "the file is named here", range: named)])
    }
}
