import Journal
import Steps

/// Each user's downtime window, from the journal's completion times: it opens when the first step
/// that takes the user's mail away finishes (divert, choke-hold, set-hold, set-inactive) and
/// closes when the last step that gives it back finishes (set-active, set-mailbox, hold release,
/// the saved mail's import, restore). `simple` has none of these: there the window runs from the
/// batch's set-mailhost to the plan-wide start of the store server.
public struct DowntimeWindows: Sendable {
    public struct Window: Sendable, Hashable {
        /// Unix milliseconds; nil until the opening step is done (or in a journal without times).
        public var opened: Int64?
        public var closed: Int64?

        public init(opened: Int64? = nil, closed: Int64? = nil) {
            self.opened = opened
            self.closed = closed
        }

        /// Seconds down, once the window has closed.
        public var seconds: Double? {
            guard let opened, let closed, closed >= opened else { return nil }
            return Double(closed - opened) / 1000
        }

        /// Open now: the mail was taken away and not yet given back.
        public var isOpen: Bool { opened != nil && closed == nil }
    }

    static let openers: Set<String> = ["divert", "choke-hold", "set-hold", "set-inactive"]
    static let closers: Set<String> = ["set-active", "set-mailbox", "hold-master", "hold-release", "choke-release",
        "saved-import", "restore"]

    /// One window per user of `graph.users`, in that order.
    public private(set) var windows: [Window]

    public init(graph: StepGraph, state: JournalState) {
        windows = [Window](repeating: Window(), count: graph.users.count)
        // Templates by batch and role; plan-wide closers (simple's start of the store server).
        var opening = [[Int]](repeating: [], count: graph.batches.count)
        var closing = [[Int]](repeating: [], count: graph.batches.count)
        var fallbackOpen = [[Int]](repeating: [], count: graph.batches.count)
        var globalClose: [Int] = []
        for (t, template) in graph.templates.enumerated() {
            let name = Self.stepName(template.idPrefix)
            guard let b = template.batch else {
                if name == "start-store-server" { globalClose.append(t) }
                continue
            }
            if Self.openers.contains(name) { opening[b].append(t) }
            if Self.closers.contains(name) { closing[b].append(t) }
            if name == "set-mailhost" { fallbackOpen[b].append(t) }
        }
        for (b, batch) in graph.batches.enumerated() {
            let opens = opening[b].isEmpty ? fallbackOpen[b] : opening[b]
            let closes = closing[b].isEmpty && opening[b].isEmpty ? globalClose : closing[b]
            guard !opens.isEmpty, !closes.isEmpty else { continue }
            for u in batch.users {
                let ordinal = u - batch.users.lowerBound
                let opened = opens.compactMap { Self.time(graph, state, template: $0, ordinal: ordinal) }.min()
                let closeTimes = closes.map { Self.time(graph, state, template: $0, ordinal: ordinal) }
                // Closed only when every step giving the mail back is done.
                let closed = closeTimes.contains(nil) ? nil : closeTimes.compactMap { $0 }.max()
                windows[u] = Window(opened: opened, closed: opened == nil ? nil : closed)
            }
        }
    }

    /// The last segment of a template's id prefix (`staff/set-active` → `set-active`).
    public static func stepName(_ idPrefix: String) -> String {
        idPrefix.split(separator: "/").last.map(String.init) ?? idPrefix
    }

    /// The completion time of the template's step for the user at `ordinal` (batch-wide steps: the one step).
    static func time(_ graph: StepGraph, _ state: JournalState, template t: Int, ordinal: Int) -> Int64? {
        let range = graph.steps(ofTemplate: t)
        let i = graph.templates[t].fanout == .perUser ? range.lowerBound + ordinal : range.lowerBound
        guard range.contains(i), state.status[i] == .done else { return nil }
        return state.finishedAt[i]
    }

    /// The summary of a batch's closed windows.
    public func summary(of batch: BatchInfo) -> DowntimeSummary {
        DowntimeSummary(windows[batch.users])
    }
}
