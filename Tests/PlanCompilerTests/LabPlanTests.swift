import Diagnostics
import Foundation
import Lab
@testable import PlanCompiler
import Testing

/// The plans `mailshift lab up` writes pass `check` without an error or a warning, so a strict
/// rule cannot reject the lab's own plans (the end-to-end tests run them).
@Suite struct LabPlanTests {
    static func plans() throws -> LabPlans {
        let json = """
            {"users": ["user001", "user002", "user003"], "messages": 5, "seed": 1, "ldapURL": "ldap://127.0.0.1:3890",
             "ldapPort": 3890, "peopleBase": "ou=People,dc=lab,dc=test", "bindDN": "cn=migrator,dc=lab,dc=test",
             "legacyHost": "oldmail.lab.test", "storeHost": "newstore.lab.test", "executable": "/usr/local/bin/mailshift"}
            """
        let config = try JSONDecoder().decode(LabConfig.self, from: Data(json.utf8))
        let directory = """
            directory:
              url: ldap://127.0.0.1:3890
              bind_dn: "cn=migrator,dc=lab,dc=test"
              password: { file: "/tmp/lab/run/ldap.secret" }
              base: "ou=People,dc=lab,dc=test"
              user_filter: "(uid={user})"
              profile: messaging-server

            """
        return LabPlans(paths: LabPaths(root: "/tmp/lab"), config: config, directorySection: directory)
    }

    @Test(arguments: LabPlans.strategies)
    func compilesWithoutWarnings(_ strategy: String) throws {
        let text = try Self.plans().text(strategy)
        let result = Compiler.compile(text: Array(text.utf8), path: "/tmp/lab/plans/\(strategy).yaml")
        #expect(result.graph != nil)
        let problems = result.diagnostics.items.filter { $0.severity >= .warning }
        #expect(problems.isEmpty, "\(problems.map(\.message))")
    }
}
