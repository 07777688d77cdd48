/// The first line of a journal: which compiled graph its step indices refer to.
public struct JournalHeader: Sendable, Hashable {
    public var graphFingerprint: String
    public var planName: String
    public var stepCount: Int
    public var formatVersion: String

    public init(graphFingerprint: String, planName: String, stepCount: Int, formatVersion: String = JournalCodec.version) {
        self.graphFingerprint = graphFingerprint
        self.planName = planName
        self.stepCount = stepCount
        self.formatVersion = formatVersion
    }
}
