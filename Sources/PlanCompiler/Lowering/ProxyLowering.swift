import PlanModel
import Steps

/// `proxy` (DESIGN.md section 2): the legacy host becomes a proxy; per batch, mailHost = store and
/// delivery = hold (+ hold_slave); once the first batches hold, start the new server and the proxy
/// and stop sendmail; per batch import → verify → delivery = mailbox → hold_master (or the native
/// hold.release); per user, retire after verify.
///
/// The first wave (batches waiting for nothing) holds before the plan-wide restart; later batches
/// start only when the batches they follow are complete.
enum ProxyLowering {
    static func lower(_ g: inout GraphBuilder) {
        let c = g.context
        let s = c.plan.services
        let setup = g.global("proxy-setup", host: s.proxySetup?.host?.value,
            StepCatalogue.command(purpose: "proxy_setup", argv: s.proxySetup?.run?.value ?? [], check: s.proxySetup?.check?.value,
                timeout: s.proxySetup?.timeout),
            after: [], label: "convert the legacy host into a proxy")
        let roots = c.roots
        var holds: [Int: Int] = [:]
        for b in roots { holds[b] = hold(&g, b, setup: setup) }
        let start = g.service("start-store-server", .serviceStart, "store_server", s.storeServer,
            after: roots.compactMap { holds[$0] }.map { .all($0) }, label: "start the new store server")
        var last = start
        if s.proxyServer?.start != nil {
            last = g.service("start-proxy", .serviceStart, "proxy_server", s.proxyServer, after: [.all(start)], label: "start the proxy")
        }
        let stop = g.service("stop-legacy-mta", .serviceStop, "legacy_mta", s.legacyMTA, after: [.all(last)],
            label: "stop the legacy MTA")
        for b in roots { move(&g, b, hold: holds[b] ?? setup, stop: stop) }
        for b in c.order where !c.predecessors[b].isEmpty {
            let h = hold(&g, b, setup: setup)
            move(&g, b, hold: h, stop: stop)
        }
    }

    /// mailHost = store, delivery = hold, then hold_slave; returns the hold_slave template.
    private static func hold(_ g: inout GraphBuilder, _ b: Int, setup: Int) -> Int {
        let c = g.context
        let h = c.plan.services.hold
        let entry = g.precopy(b, after: g.entry(b, extra: [.all(setup)]))
        let host = g.ldapSet(b, "set-mailhost", "host", c.storeAddress, after: entry)
        let held = g.ldapSet(b, "set-hold", "delivery", "hold", after: [.all(host)])
        return g.step(b, "hold-slave", host: h?.host?.value,
            StepCatalogue.command(purpose: "hold_slave", argv: h?.slave?.value ?? []), after: g.dirsync(b, after: [.all(held)]),
            label: "hold the batch's delivery")
    }

    /// import → verify → delivery = mailbox → hold_master (or hold.release) → retire.
    private static func move(_ g: inout GraphBuilder, _ b: Int, hold: Int, stop: Int) {
        let c = g.context
        let h = c.plan.services.hold
        let (_, ver) = g.importAndVerify(b, after: [.all(hold), .all(stop)])
        let mailbox = g.ldapSet(b, "set-mailbox", "delivery", "mailbox", after: [.all(ver)])
        if let master = h?.master {
            let m = g.step(b, "hold-master", host: h?.host?.value,
                StepCatalogue.command(purpose: "hold_master", argv: master.value), after: [.all(mailbox)],
                label: "release the held mail to the new store")
            g.retire(b, verify: ver, after: [.all(m)])
        } else {
            let r = g.step(b, "hold-release", perUser: true, host: h?.host?.value,
                StepCatalogue.holdRelease(c, spoolDir: h?.spoolDir?.value ?? ""), after: [.all(mailbox)],
                label: "import the user's held mail")
            g.retire(b, verify: ver, after: [.sameUser(r)])
        }
    }
}
