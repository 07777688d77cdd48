import Executor
import Foundation
import Steps

/// What `mailshift report --format json` prints. Tools read it (`users[].downtime_s`): fields are
/// added, never renamed or removed, and `format_version` changes when that rule must be broken.
/// Every field is present; unknown values are `null`.
struct ReportDocument: Encodable {
    static let formatVersion = 1

    struct User: Encodable {
        var user: String
        var batch: String
        var messages: Int?
        var bytes: Int?
        var precopyMessages: Int?
        var deltaMessages: Int?
        var verify: String
        var downtimeS: Double?
        var windowOpened: Int64?
        var windowClosed: Int64?
        var outcome: String

        init(_ r: UserReport) {
            user = r.user
            batch = r.batch
            messages = r.messages
            bytes = r.bytes
            precopyMessages = r.precopyMessages
            deltaMessages = r.deltaMessages
            verify = r.verify.rawValue
            downtimeS = r.downtimeSeconds.map { ($0 * 1000).rounded() / 1000 }
            windowOpened = r.window.opened
            windowClosed = r.window.closed
            outcome = r.outcome.rawValue
        }

        enum CodingKeys: String, CodingKey {
            case user, batch, messages, bytes, precopyMessages = "precopy_messages", deltaMessages = "delta_messages"
            case verify, downtimeS = "downtime_s", windowOpened = "window_opened_ms", windowClosed = "window_closed_ms"
            case outcome
        }

        // Explicit nulls: a field is always there, so a reader can tell "unknown" from "renamed".
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(user, forKey: .user)
            try c.encode(batch, forKey: .batch)
            try c.encode(messages, forKey: .messages)
            try c.encode(bytes, forKey: .bytes)
            try c.encode(precopyMessages, forKey: .precopyMessages)
            try c.encode(deltaMessages, forKey: .deltaMessages)
            try c.encode(verify, forKey: .verify)
            try c.encode(downtimeS, forKey: .downtimeS)
            try c.encode(windowOpened, forKey: .windowOpened)
            try c.encode(windowClosed, forKey: .windowClosed)
            try c.encode(outcome, forKey: .outcome)
        }
    }

    struct Batch: Encodable {
        var name: String
        var users: Int
        var downtime: DowntimeFigures
    }

    var formatVersion = Self.formatVersion
    var plan: String
    var strategy: String
    var users: [User]
    var batches: [Batch]

    enum CodingKeys: String, CodingKey { case formatVersion = "format_version", plan, strategy, users, batches }

    init(graph: StepGraph, rows: [UserReport], windows: DowntimeWindows) {
        plan = graph.planName
        strategy = graph.strategy
        users = rows.map(User.init)
        batches = graph.batches.map { Batch(name: $0.name, users: $0.users.count, downtime: DowntimeFigures(windows.summary(of: $0))) }
    }
}

/// A batch's downtime summary in JSON (`status` and `report`): seconds, `null` when none closed.
struct DowntimeFigures: Encodable {
    var measured: Int
    var open: Int
    var medianS: Double?
    var p95S: Double?
    var maxS: Double?

    init(_ s: DowntimeSummary) {
        measured = s.measured
        open = s.open
        medianS = s.median.map(Self.millis)
        p95S = s.p95.map(Self.millis)
        maxS = s.max.map(Self.millis)
    }

    static func millis(_ s: Double) -> Double { (s * 1000).rounded() / 1000 }

    /// The JSONSerialization form `status --format json` embeds.
    var object: [String: Any] {
        ["measured": measured, "open": open, "median_s": medianS ?? NSNull(), "p95_s": p95S ?? NSNull(),
            "max_s": maxS ?? NSNull()]
    }

    enum CodingKeys: String, CodingKey { case measured, open, medianS = "median_s", p95S = "p95_s", maxS = "max_s" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(measured, forKey: .measured)
        try c.encode(open, forKey: .open)
        try c.encode(medianS, forKey: .medianS)
        try c.encode(p95S, forKey: .p95S)
        try c.encode(maxS, forKey: .maxS)
    }
}
