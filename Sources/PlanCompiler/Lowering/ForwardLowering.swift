import PlanModel
import Steps

/// `forward`: a `.forward` per user saves mail arriving during the move to a per-user mbox; after
/// the batch is active again, the saved file is imported (keeping each message's date) and the
/// original `.forward` is put back.
enum ForwardLowering {
    static func lower(_ g: inout GraphBuilder) {
        let c = g.context
        SavedMailWave.lower(
            &g,
            divert: { g, b, deps in
                g.step(b, "divert", host: c.sourceHost, StepCatalogue.forwardDivert(c), after: deps,
                    label: "write a .forward that saves new mail aside")
            },
            release: { g, b, deps in
                let saved = g.step(
                    b, "saved-import", perUser: true, host: c.sourceHost,
                    StepCatalogue.savedImport(c, savedPath: c.plan.forward?.saved?.value ?? ""), after: deps,
                    label: "import the mail saved during the move")
                guard let divert = g.template(b, "divert") else { preconditionFailure("restore without a divert step") }
                return g.step(
                    b, "restore", host: c.sourceHost, StepCatalogue.forwardRestore(c, divertStep: g.reference(to: divert)),
                    after: [.all(saved)], label: "put back each user's previous .forward")
            })
    }
}
