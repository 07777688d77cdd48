import PlanModel
import Steps

/// The irreversible end of every strategy's batch (the seed's "if the system is working, delete
/// all the migrated accounts from the old machine"):
///
///     … → [<b>/working-check] → [<b>/confirm-working] → <b>/retire/<user> → <b>/deluser/<user>
///
/// - `<b>/working-check` (`services.working_check`): the plan's command must pass, for its period.
/// - `<b>/confirm-working` (`policy.confirm_before_retire`, true by default; false by default when
///   a working check is given): a gate that stops the run until `mailshift approve`.
/// - `<b>/retire/<user>`: only when `retire_source` is archive or delete.
/// - `<b>/deluser/<user>` (`services.deluser`): on its own host, after that user's retire (or,
///   with `retire_source: keep`, straight after the gate).
/// Both wait for the batch's every verify through the gate, and each for its own user's verify.
extension GraphBuilder {
    /// Adds the batch's irreversible steps after `deps`; returns the retire template, if any.
    @discardableResult
    mutating func retire(_ b: Int, verify: Int, after deps: [TemplateDependency]) -> Int? {
        let c = context
        let plan = c.plan
        let retires = plan.policy.retireSource != .keep
        guard retires || plan.services.deluser != nil else { return nil }
        var gate = deps + [.all(verify)]
        if let check = plan.services.workingCheck {
            let t = step(
                b, "working-check", host: check.host?.value, StepCatalogue.workingCheck(check), after: gate,
                label: "check that the new system is working before anything irreversible")
            gate = [.all(t)]
        }
        if Self.confirmsBeforeRetire(plan) {
            let what = [retires ? "\(plan.policy.retireSource.rawValue) its source mailboxes" : nil,
                plan.services.deluser != nil ? "delete its users" : nil].compactMap { $0 }.joined(separator: " and ")
            let t = step(
                b, "confirm-working",
                StepCatalogue.gate("the new system works for batch \(batchInfos[b].name): approve to \(what) (irreversible)", autoApprove: false),
                after: gate, label: "confirm the new system works before anything irreversible")
            gate = [.all(t)]
        }
        var retire: Int?
        if retires {
            retire = step(
                b, "retire", perUser: true, host: c.sourceHost,
                StepCatalogue.sourceRetire(c, verifyStep: reference(to: verify)), after: [.sameUser(verify)] + gate,
                label: "\(plan.policy.retireSource.rawValue) the source mailbox (irreversible)")
        }
        if let deluser = plan.services.deluser {
            step(
                b, "deluser", perUser: true, host: deluser.host?.value ?? c.sourceHost,
                StepCatalogue.userDelete(c, deluser, verifyStep: reference(to: verify)),
                after: retire.map { [TemplateDependency.sameUser($0)] } ?? [.sameUser(verify)] + gate,
                label: "delete the user on \(deluser.host?.value ?? c.sourceHost) (irreversible)")
        }
        return retire
    }

    /// The approval gate is on by default; a plan's working check replaces it unless the plan
    /// also writes `confirm_before_retire: true`.
    static func confirmsBeforeRetire(_ plan: Plan) -> Bool {
        let policy = plan.policy
        if plan.services.workingCheck != nil, !policy.written.contains("confirm_before_retire") { return false }
        return policy.confirmBeforeRetire
    }
}
