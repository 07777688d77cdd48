import YAMLSource

extension PlanDecoder {
    mutating func workingCheck(_ node: YAMLNode) -> WorkingCheckSpec? {
        let context = "'services.working_check'"
        guard let f = fields(node, context, allowed: PlanKeys.workingCheck, required: ["host", "run"]) else { return nil }
        var w = WorkingCheckSpec(range: range(node))
        w.host = locatedString(f["host"], "'services.working_check.host'")
        w.run = argv(f["run"], "'services.working_check.run'")
        w.timeout = int(f["timeout"], "'services.working_check.timeout'", min: 1)
        w.period = duration(f["for"], "'services.working_check.for'") ?? 0
        w.interval = duration(f["every"], "'services.working_check.every'") ?? 30
        return w
    }
}
