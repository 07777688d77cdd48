/// What the executor gives a driver for one step: the run's mode, the graph's endpoints, recorded
/// outputs of earlier steps, and a way to make partial outputs durable.
public struct StepContext: Sendable {
    /// True during `--dry-run`: drivers may only read (the executor calls only `inspect` then,
    /// and drivers must refuse to write if they ever see `dryRun` in `apply`).
    public var dryRun: Bool
    public var hosts: [String: HostEndpoint]
    public var directory: DirectoryEndpoint?
    /// This step's outputs from an earlier attempt (checkpointed or finished), if any.
    public var previousOutputs: StepOutputs?
    /// During a preview: the state earlier steps will leave (see `ProjectedState`); nil when applying.
    public var projection: ProjectedState?
    private let outputsLookup: @Sendable (String) -> StepOutputs?
    private let checkpointSink: @Sendable (StepOutputs) async throws -> Void
    private let logSink: @Sendable (String) -> Void

    public init(
        dryRun: Bool, hosts: [String: HostEndpoint] = [:], directory: DirectoryEndpoint? = nil,
        previousOutputs: StepOutputs? = nil, projection: ProjectedState? = nil,
        outputs: @escaping @Sendable (String) -> StepOutputs? = { _ in nil },
        checkpoint: @escaping @Sendable (StepOutputs) async throws -> Void = { _ in },
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.dryRun = dryRun
        self.hosts = hosts
        self.directory = directory
        self.previousOutputs = previousOutputs
        self.projection = projection
        self.outputsLookup = outputs
        self.checkpointSink = checkpoint
        self.logSink = log
    }

    /// The journaled outputs of another step (by id), e.g. a verify reading its import's digests.
    public func outputs(of stepID: String) -> StepOutputs? { outputsLookup(stepID) }

    /// Durably records partial outputs before the driver acts on them (they are merged into the
    /// step's record and handed back as `previousOutputs` on a resume).
    public func checkpoint(_ outputs: StepOutputs) async throws { try await checkpointSink(outputs) }

    /// A progress or warning line for the run's log.
    public func log(_ line: String) { logSink(line) }
}
