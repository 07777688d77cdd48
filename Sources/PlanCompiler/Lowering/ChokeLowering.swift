import PlanModel
import Steps

/// `choke`: an SMTP choke router holds the batch's incoming mail while it moves, and releases it
/// (to the new store, through the directory's new routing) once the batch is active again.
enum ChokeLowering {
    static func lower(_ g: inout GraphBuilder) {
        let c = g.context
        let choke = c.plan.services.choke
        SavedMailWave.lower(
            &g,
            divert: { g, b, deps in
                g.step(b, "choke-hold", host: choke?.host?.value,
                    StepCatalogue.command(purpose: "choke_hold", argv: choke?.hold?.value ?? []), after: deps,
                    label: "hold the batch's incoming mail at the choke router")
            },
            release: { g, b, deps in
                g.step(b, "choke-release", host: choke?.host?.value,
                    StepCatalogue.command(purpose: "choke_release", argv: choke?.release?.value ?? []), after: deps,
                    label: "release the held mail to the new store")
            })
    }
}
