import PlanModel

/// How often a plan's command runs once lowered, which decides the placeholders that get a value.
///
/// This mirrors Lowering (`global(…)` steps run once; `step(b, …)` once per batch, and the command
/// driver runs a per-batch command once per user when its argv holds `{user}`; only mailbox steps
/// know `{mbox}`). `CommandRepetitionTests` compiles every strategy and checks this table against
/// the graph, so a change in Lowering that moves a command fails there, not in production.
enum CommandRepetition: Equatable {
    /// One plan-wide step (`global/…`): no batch, no user.
    case once
    /// One step per batch; `{user}` in its argv makes it run for each user of the batch.
    case perBatch
    /// One step per batch that runs its command once, for no user (the working check).
    case oncePerBatch
    /// One step per user that knows the user's source mailbox.
    case perMailbox

    /// The placeholders a step of this kind fills in.
    var expanded: [String] {
        switch self {
        case .once: ["host"]
        case .perBatch: ["user", "batch", "host"]
        case .oncePerBatch: ["batch", "host"]
        case .perMailbox: ["user", "batch", "host", "mbox"]
        }
    }

    /// `services.dirsync` is plan-wide in `simple` (after every batch's directory change) and
    /// per batch in the strategies that move batch by batch.
    static func dirsync(_ strategy: Strategy?) -> CommandRepetition? {
        switch strategy {
        case .simple?: .once
        case .forward?, .choke?, .proxy?: .perBatch
        case nil: nil
        }
    }

    static let proxySetup = CommandRepetition.once
    static let service = CommandRepetition.once
    static let hold = CommandRepetition.perBatch
    static let choke = CommandRepetition.perBatch
    static let deluser = CommandRepetition.perMailbox
    static let workingCheck = CommandRepetition.oncePerBatch
    static let store = CommandRepetition.perMailbox
}
