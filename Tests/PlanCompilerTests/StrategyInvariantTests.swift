import Foundation
import PlanCompiler
import Steps
import Testing

/// The lowered graphs follow DESIGN.md section 2 step for step.
@Suite struct StrategyInvariantTests {
    @Test func proxyImportsWaitForTheBatchHoldAndSendmailStopped() throws {
        let q = try GraphQuery.compile(plan: "proxy.yaml")
        for batch in ["pilot", "staff", "faculty"] {
            #expect(q.step("\(batch)/set-hold")?.parameters.list("set") == ["mailDeliveryOption=hold"])
            for user in q.users(of: batch) {
                let imp = "\(batch)/import/\(user)"
                #expect(q.dependsOn(imp, "\(batch)/hold-slave"))
                #expect(q.dependsOn(imp, "\(batch)/set-hold"))
                #expect(q.dependsOn(imp, "global/stop-legacy-mta"))
                #expect(q.dependsOn("\(batch)/retire/\(user)", "\(batch)/verify/\(user)"))
                #expect(q.step("\(batch)/retire/\(user)")?.reversible == false)
            }
            #expect(q.step("\(batch)/set-mailbox")?.parameters.list("set") == ["mailDeliveryOption=mailbox"])
            #expect(q.dependsOn("\(batch)/hold-master", "\(batch)/set-mailbox"))
            #expect(q.step("\(batch)/hold-master")?.parameters.text("purpose") == "hold_master")
        }
        // Once, after the first holds: new server (and proxy) start, then sendmail stops.
        #expect(q.dependsOn("global/start-store-server", "pilot/hold-slave"))
        #expect(q.dependsOn("global/stop-legacy-mta", "global/start-proxy"))
        #expect(q.dependsOn("pilot/set-mailhost", "global/proxy-setup"))
        // `after` and `approve`: staff starts after pilot is done and after its gate.
        #expect(q.dependsOn("staff/set-mailhost", "staff/approve"))
        #expect(q.dependsOn("staff/approve", "pilot/retire/alice"))
        #expect(q.step("staff/approve")?.kind == .gate)
    }

    @Test func simpleStartsTheNewServerAfterAllImportsAndTheGate() throws {
        let q = try GraphQuery.compile(plan: "simple.yaml")
        let start = "global/start-store-server"
        #expect(q.dependsOn(start, "global/clients-repointed"))
        #expect(q.step("global/clients-repointed")?.kind == .gate)
        for user in q.users(of: "everyone") {
            #expect(q.dependsOn(start, "everyone/import/\(user)"))
            #expect(q.dependsOn("everyone/import/\(user)", "global/stop-legacy-mta"))
        }
        #expect(q.dependsOn("global/stop-legacy-mta", "global/dirsync"))
        #expect(q.dependsOn("global/dirsync", "everyone/set-mailhost"))
        // messaging-server profile: mailHost is the store's address.
        #expect(q.step("everyone/set-mailhost")?.parameters.list("set") == ["mailHost=mail.physics.example.edu"])
        #expect(q.ids(withPrefix: "everyone/retire").isEmpty)  // retire_source: keep
    }

    @Test func forwardRunsEachBatchInTheSeedsOrder() throws {
        let q = try GraphQuery.compile(plan: "forward.yaml")
        let chain = ["divert", "set-mailhost", "set-inactive", "clients-repointed", "set-active", "restore"]
        for batch in ["circulation", "cataloguing"] {
            for (a, b) in zip(chain.dropFirst(), chain) { #expect(q.dependsOn("\(batch)/\(a)", "\(batch)/\(b)"), "\(batch) \(a) after \(b)") }
            for user in q.users(of: batch) {
                #expect(q.dependsOn("\(batch)/import/\(user)", "\(batch)/set-inactive"))
                #expect(q.dependsOn("\(batch)/clients-repointed", "\(batch)/verify/\(user)"))
                #expect(q.dependsOn("\(batch)/saved-import/\(user)", "\(batch)/set-active"))
                #expect(q.dependsOn("\(batch)/restore", "\(batch)/saved-import/\(user)"))
            }
            #expect(q.dependsOn("\(batch)/divert", "global/start-store-server"))
        }
        // The attribute override applies: status lives in inetUserStatus here.
        #expect(q.step("circulation/set-inactive")?.parameters.list("set") == ["inetUserStatus=inactive"])
        #expect(q.step("circulation/set-inactive")?.parameters.list("object_classes") == ["inetUser"])
        #expect(q.step("circulation/restore")?.parameters.text("divert_step") == "circulation/divert")
        #expect(q.dependsOn("cataloguing/divert", "circulation/restore"))
        // A command store imports through argv with placeholders expanded per user.
        #expect(q.step("circulation/import/ada")?.parameters.list("import_argv") == ["imsimport", "-u", "ada", "-s", "/var/spool/mail/ada"])
    }

    @Test func chokeHoldsAndReleasesAroundTheMove() throws {
        let q = try GraphQuery.compile(plan: "choke.yaml")
        for batch in ["hardware", "software"] {
            #expect(q.dependsOn("\(batch)/set-mailhost", "\(batch)/choke-hold"))
            #expect(q.dependsOn("\(batch)/choke-release", "\(batch)/set-active"))
            for user in q.users(of: batch) {
                #expect(q.dependsOn("\(batch)/retire/\(user)", "\(batch)/verify/\(user)"))
                #expect(q.dependsOn("\(batch)/retire/\(user)", "\(batch)/confirm-working"))
                #expect(q.dependsOn("\(batch)/confirm-working", "\(batch)/choke-release"))
                #expect(q.step("\(batch)/retire/\(user)")?.parameters.list("argv") == nil)
                // deluser is its own irreversible step, after that user's retire, on its own host.
                let deluser = try #require(q.step("\(batch)/deluser/\(user)"))
                #expect(deluser.kind == .userDelete && !deluser.reversible && deluser.host?.name == "legacy")
                #expect(deluser.parameters.list("argv") == ["imdeluser", user])
                #expect(q.dependsOn("\(batch)/deluser/\(user)", "\(batch)/retire/\(user)"))
            }
            #expect(q.step("\(batch)/confirm-working")?.kind == .gate)
        }
        #expect(q.step("hardware/choke-hold")?.parameters.flag("per_user") == true)
        #expect(q.step("hardware/choke-hold")?.users == ["hal", "ida", "jon"])
        #expect(q.step("hardware/set-inactive")?.parameters.list("set") == ["mailUserStatus=inactive"])
    }

    @Test func chunksBecomeNumberedSubBatchesThatRunInSequence() throws {
        let q = try GraphQuery.compile(plan: "campus-large.yaml")
        let names = q.graph.batches.map(\.name)
        #expect(names == ["it-staff", "faculty-1", "faculty-2", "faculty-3", "students-1", "students-2", "students-3"])
        #expect(q.users(of: "faculty-3") == ["prof9", "prof10"])
        #expect(q.users(of: "it-staff") == ["root-admin", "sysop1", "sysop2"])
        #expect(q.dependsOn("faculty-2/approve", "faculty-1/hold-release/prof1"))
        #expect(q.dependsOn("faculty-1/approve", "it-staff/import/sysop1"))
        #expect(q.dependsOn("students-1/set-mailhost", "it-staff/verify/sysop2"))
        #expect(!q.dependsOn("students-1/set-mailhost", "faculty-1/set-mailhost"))
        #expect(q.step("faculty-1/hold-release/prof2")?.parameters.text("spool_dir") == "/var/spool/hold/prof2")
        #expect(q.step("faculty-1/import/prof1")?.id == "faculty-1/import/prof1")
    }

    @Test(arguments: ["simple.yaml", "forward.yaml", "choke.yaml", "proxy.yaml", "campus-large.yaml"])
    func templatesAreInRunnableOrderWithUniqueIDs(_ plan: String) throws {
        let q = try GraphQuery.compile(plan: plan)
        for (t, template) in q.graph.templates.enumerated() {
            for d in template.dependencies {
                switch d {
                case .all(let u): #expect(u < t)
                case .sameUser(let u):
                    #expect(u < t)
                    #expect(q.graph.templates[u].batch == template.batch && template.fanout == .perUser)
                }
            }
        }
        #expect(q.index.count == q.graph.stepCount)
    }

    @Test func maxFailuresBecomesACountPerBatch() throws {
        #expect(try GraphQuery.compile(plan: "forward.yaml").graph.batches.allSatisfy { $0.maxFailures == 1 })
        let choke = try GraphQuery.compile(plan: "choke.yaml").graph  // 10%
        #expect(choke.batches.map(\.maxFailures) == [0, 0])
        let simple = try GraphQuery.compile(plan: "simple.yaml").graph
        #expect(simple.batches.map(\.maxFailures) == [nil])
    }
}
