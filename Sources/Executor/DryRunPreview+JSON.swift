import Foundation
import Steps

/// The preview as one JSON document (`mailshift run PLAN --dry-run --format json`). A stable
/// interface: tools compare its `change` steps with what the run then applies. Add fields, never
/// rename or remove one.
public struct PreviewDocument: Codable, Sendable, Hashable {
    public struct Step: Codable, Sendable, Hashable {
        public var id: String
        public var kind: String
        /// The batch, or nil for a global step.
        public var batch: String?
        /// `change`, `none` or `unknown`.
        public var action: String
        public var changes: [Change]
        /// Why the step is unknown, or what an inspection found.
        public var reason: String?
        /// What the inspection read that its changes rest on (a source mailbox's identity), by
        /// subject; absent when nothing beyond the change lines.
        public var observed: [String: String]?
    }

    public struct Change: Codable, Sendable, Hashable {
        /// `+`, `~`, `-`, `!` (irreversible) or `>` (a command run).
        public var marker: String
        public var text: String
        public var messages: Int?
        public var bytes: Int?
    }

    public var format = 1
    public var steps: [Step]
    /// The preflight checks made before the preview (`PreflightCheck`).
    public var preflight: [PreflightCheck]

    public init(steps: [Step], preflight: [PreflightCheck] = []) {
        self.steps = steps
        self.preflight = preflight
    }
}

extension DryRunPreview {
    public func document() -> PreviewDocument {
        PreviewDocument(
            steps: ordered.map { e in
                PreviewDocument.Step(
                    id: e.stepID, kind: e.kind.rawValue, batch: e.batch, action: e.action,
                    changes: (e.inspection?.changes ?? []).map {
                        PreviewDocument.Change(marker: $0.marker.rawValue, text: $0.text, messages: $0.messages, bytes: $0.bytes)
                    },
                    reason: e.inspection == nil ? "done in the journal" : e.inspection?.reason,
                    observed: e.inspection.flatMap { $0.observed.isEmpty ? nil : $0.observed })
            })
    }
}
