import Diagnostics
import YAMLSource

extension PlanDecoder {
    mutating func services(_ node: YAMLNode) -> ServicesSpec {
        var s = ServicesSpec()
        s.range = range(node)
        guard let f = fields(node, "'services'", allowed: PlanKeys.services) else { return s }
        if let n = f["legacy_mta"] { s.legacyMTA = service(n, "legacy_mta") }
        if let n = f["store_server"] { s.storeServer = service(n, "store_server") }
        if let n = f["proxy_server"] { s.proxyServer = service(n, "proxy_server") }
        if let n = f["dirsync"] { s.dirsync = run(n, "dirsync") }
        if let n = f["proxy_setup"] { s.proxySetup = run(n, "proxy_setup") }
        if let n = f["deluser"] { s.deluser = run(n, "deluser") }
        if let n = f["hold"], let hf = fields(n, "'services.hold'", allowed: PlanKeys.hold, required: ["host"]) {
            var h = HoldSpec(range: range(n))
            h.written = Set(hf.keys)
            h.host = locatedString(hf["host"], "'services.hold.host'")
            h.slave = argv(hf["slave"], "'services.hold.slave'")
            h.master = argv(hf["master"], "'services.hold.master'")
            h.spoolDir = locatedString(hf["spool_dir"], "'services.hold.spool_dir'")
            s.hold = h
        }
        if let n = f["choke"], let cf = fields(n, "'services.choke'", allowed: PlanKeys.choke, required: ["host", "hold", "release"]) {
            var c = ChokeSpec(range: range(n))
            c.host = locatedString(cf["host"], "'services.choke.host'")
            c.hold = argv(cf["hold"], "'services.choke.hold'")
            c.release = argv(cf["release"], "'services.choke.release'")
            s.choke = c
        }
        if let n = f["working_check"] { s.workingCheck = workingCheck(n) }
        return s
    }

    private mutating func service(_ node: YAMLNode, _ name: String) -> ServiceSpec? {
        let context = "'services.\(name)'"
        guard let f = fields(node, context, allowed: PlanKeys.service, required: ["host"]) else {
            return nil
        }
        var s = ServiceSpec(range: range(node))
        s.written = Set(f.keys)
        s.host = locatedString(f["host"], "'services.\(name).host'")
        s.start = argv(f["start"], "'services.\(name).start'")
        s.stop = argv(f["stop"], "'services.\(name).stop'")
        s.running = argv(f["running"], "'services.\(name).running'")
        s.pidFile = string(f["pid_file"], "'services.\(name).pid_file'")
        s.wait = int(f["wait"], "'services.\(name).wait'", min: 1) ?? 60
        return s
    }

    private mutating func run(_ node: YAMLNode, _ name: String) -> RunSpec? {
        let context = "'services.\(name)'"
        guard let f = fields(node, context, allowed: PlanKeys.run, required: ["host", "run"]) else { return nil }
        var s = RunSpec(range: range(node))
        s.host = locatedString(f["host"], "'services.\(name).host'")
        s.run = argv(f["run"], "'services.\(name).run'")
        s.check = argv(f["check"], "'services.\(name).check'")
        s.timeout = int(f["timeout"], "'services.\(name).timeout'", min: 1)
        return s
    }
}
