import Journal
import Steps

/// What a batch's rollback cannot undo, said before it acts: sources already archived or deleted,
/// users already deleted on their host, mail already copied into the new store. Steps that were
/// started but not journaled as done may have acted, and are listed as such.
struct RollbackLimits {
    private(set) var lines: [String] = []

    /// At most this many names per kind; the rest are counted.
    static let listed = 10

    init(batch b: Int, graph: StepGraph, journal: JournalState) {
        var archived: [String] = []
        var deleted: [String] = []
        var usersDeleted: [String] = []
        var imported = 0
        var replayed = 0
        for t in graph.templates.indices where graph.templates[t].batch == b {
            for i in graph.steps(ofTemplate: t) {
                let status = journal.status[i]
                guard status == .done || status == .started else { continue }
                let step = graph.step(i)
                let maybe = status == .started ? " (interrupted: it may have)" : ""
                let who = step.user ?? step.id
                switch step.action {
                case .sourceRetire(let p):
                    let mode = journal.outputs[i]?["mode"] ?? p.mode.rawValue
                    if mode == "archive" {
                        let to = journal.outputs[i]?["archived_to"].map { " to \($0)" } ?? ""
                        archived.append("\(p.mbox)\(to)\(maybe)")
                    } else if mode == "delete" {
                        deleted.append("\(p.mbox)\(maybe)")
                    }
                case .userDelete(let p):
                    usersDeleted.append("\(who) on \(step.targetHost.name) (`\(p.argv.joined(separator: " "))`)\(maybe)")
                case .mailboxImport:
                    imported += 1
                case .savedImport, .holdRelease:
                    replayed += 1
                default: break
                }
            }
        }
        add("source mailboxes archived", archived)
        add("source mailboxes deleted", deleted)
        add("users deleted", usersDeleted)
        if imported > 0 {
            lines.append("! cannot undo: \(imported) users' mail is already in the new store (it stays there; a resume adds no duplicates)")
        }
        if replayed > 0 {
            lines.append("! cannot undo: \(replayed) users' saved or held mail was imported into the new store (it stays there)")
        }
    }

    private mutating func add(_ what: String, _ names: [String]) {
        guard !names.isEmpty else { return }
        let more = names.count > Self.listed ? " … and \(names.count - Self.listed) more" : ""
        lines.append("! cannot undo: \(what): " + names.prefix(Self.listed).joined(separator: ", ") + more)
    }

    var isEmpty: Bool { lines.isEmpty }
}
