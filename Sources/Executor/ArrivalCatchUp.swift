import Journal
import Steps

/// Mail that arrives between a user's import and its verify (proxy and simple keep delivering to
/// the spool until the hold or the stop takes effect): the verify says so (`ArrivalsAfterImport`),
/// and the executor runs the import again — it stores only what is missing, under deterministic
/// names, so nothing is duplicated — journals its new outputs, and verifies again. Bounded: mail
/// still arriving after `rounds` rounds fails the verify, and the spool needs a person.
extension StepAttempt {
    static let arrivalRounds = 3

    func applyCatchingUp(_ step: StepInstance, _ runner: any StepRunner, _ context: StepContext) async throws -> StepOutputs {
        var round = 0
        while true {
            do {
                return try await apply(step, runner, context)
            } catch var arrivals as ArrivalsAfterImport {
                round += 1
                guard round <= Self.arrivalRounds, let importer = runners(.mailboxImport),
                    let j = book.index(of: arrivals.importStepID)
                else {
                    arrivals.rounds = round - 1
                    throw arrivals
                }
                let importStep = graph.step(j)
                context.log("\(arrivals.arrived) messages arrived after the import; importing them (round \(round) of \(Self.arrivalRounds))")
                let outputs = try await apply(importStep, importer, makeContext(importStep))
                // Durable before the verify that relies on it; a crash here leaves the import done
                // with fewer messages recorded, and the resumed verify catches up again.
                try await journal([.done(importStep, how: "caught-up", outputs: outputs, at: CompletionTime.now())])
            }
        }
    }
}
