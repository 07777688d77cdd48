import Steps

/// Maps each step kind to the driver that runs it: the one place that knows every driver.
/// A kind without an entry fails its steps permanently with "no driver for <kind>"; `gate` is
/// handled by the executor itself and needs no entry.
enum DriverRegistry {
    static func runners(for graph: StepGraph) -> @Sendable (StepKind) -> (any StepRunner)? {
        // One line per kind, e.g. `.ldapSet: LDAPSetRunner(),` (wired at integration).
        let table: [StepKind: any StepRunner] = [:]
        return { kind in table[kind] }
    }
}
