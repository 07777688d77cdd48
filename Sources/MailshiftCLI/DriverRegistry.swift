import Steps

/// Maps each step kind to the driver that runs it: the one place that knows every driver.
/// A kind without an entry fails its steps permanently with "no driver for <kind>".
/// Wire a driver with one line: `table[.ldapSet] = LDAPSetRunner()`.
enum DriverRegistry {
    static func runners(for graph: StepGraph) -> @Sendable (StepKind) -> (any StepRunner)? {
        let table: [StepKind: any StepRunner] = [:]
        // Drivers are wired here at integration (LDAPDriver, MailboxDriver, CommandDriver).
        return { kind in table[kind] }
    }
}
