/// A step's kind together with its typed parameters: what the compiler emits and a runner
/// receives. Adding a kind adds a case here, a parameters struct in `Kinds/`, and a runner.
public enum StepAction: Sendable, Hashable, Codable {
    case ldapSet(LDAPSetParameters)
    case command(CommandParameters)
    case serviceStop(ServiceParameters)
    case serviceStart(ServiceParameters)
    case forwardDivert(ForwardDivertParameters)
    case forwardRestore(ForwardRestoreParameters)
    case mailboxImport(MailboxImportParameters)
    case mailboxVerify(MailboxVerifyParameters)
    case savedImport(SavedImportParameters)
    case holdRelease(HoldReleaseParameters)
    case sourceRetire(SourceRetireParameters)
    case gate(GateParameters)
    case workingCheck(WorkingCheckParameters)
    case userDelete(UserDeleteParameters)
    case ldapCreate(LDAPCreateParameters)

    public var kind: StepKind {
        switch self {
        case .ldapSet: .ldapSet
        case .command: .command
        case .serviceStop: .serviceStop
        case .serviceStart: .serviceStart
        case .forwardDivert: .forwardDivert
        case .forwardRestore: .forwardRestore
        case .mailboxImport: .mailboxImport
        case .mailboxVerify: .mailboxVerify
        case .savedImport: .savedImport
        case .holdRelease: .holdRelease
        case .sourceRetire: .sourceRetire
        case .gate: .gate
        case .workingCheck: .workingCheck
        case .userDelete: .userDelete
        case .ldapCreate: .ldapCreate
        }
    }

    /// The parameters, whatever the kind.
    public var parameterSet: any StepParameterSet {
        switch self {
        case .ldapSet(let p): p
        case .command(let p): p
        case .serviceStop(let p), .serviceStart(let p): p
        case .forwardDivert(let p): p
        case .forwardRestore(let p): p
        case .mailboxImport(let p): p
        case .mailboxVerify(let p): p
        case .savedImport(let p): p
        case .holdRelease(let p): p
        case .sourceRetire(let p): p
        case .gate(let p): p
        case .workingCheck(let p): p
        case .userDelete(let p): p
        case .ldapCreate(let p): p
        }
    }

    /// The flat key/value rendering (`mailshift graph`, fingerprints).
    public var parameters: StepParameters { parameterSet.rendered }

    /// The spool mailbox a per-user mailbox step reads (what `{mbox}` stands for in its argv).
    public var sourceMailbox: String? {
        switch self {
        case .mailboxImport(let p): p.mbox
        case .mailboxVerify(let p): p.mbox
        case .sourceRetire(let p): p.mbox
        default: nil
        }
    }

    /// The same action with `transform` applied to every placeholder-bearing string.
    public func expanded(_ t: (String) -> String) -> StepAction {
        switch self {
        case .ldapSet(let p): .ldapSet(p.expanded(t))
        case .command(let p): .command(p.expanded(t))
        case .serviceStop(let p): .serviceStop(p.expanded(t))
        case .serviceStart(let p): .serviceStart(p.expanded(t))
        case .forwardDivert(let p): .forwardDivert(p.expanded(t))
        case .forwardRestore(let p): .forwardRestore(p.expanded(t))
        case .mailboxImport(let p): .mailboxImport(p.expanded(t))
        case .mailboxVerify(let p): .mailboxVerify(p.expanded(t))
        case .savedImport(let p): .savedImport(p.expanded(t))
        case .holdRelease(let p): .holdRelease(p.expanded(t))
        case .sourceRetire(let p): .sourceRetire(p.expanded(t))
        case .gate(let p): .gate(p.expanded(t))
        case .workingCheck(let p): .workingCheck(p.expanded(t))
        case .userDelete(let p): .userDelete(p.expanded(t))
        case .ldapCreate(let p): .ldapCreate(p.expanded(t))
        }
    }
}

/// A runner asked for the wrong kind's parameters: a wiring error between registry and graph.
public struct StepKindMismatch: StepFailure {
    public var stepID: String
    public var expected: String
    public var actual: StepKind
    public var disposition: FailureDisposition { .permanent }
    public var summary: String { "step \(stepID): a \(actual.rawValue) step was given to the \(expected) runner" }

    public init(stepID: String, expected: String, actual: StepKind) {
        self.stepID = stepID
        self.expected = expected
        self.actual = actual
    }
}

extension StepInstance {
    /// This step's parameters as the kind `P` a runner handles.
    public func parameters<P: StepParameterSet>(_ type: P.Type) throws -> P {
        guard let p = action.parameterSet as? P else {
            throw StepKindMismatch(stepID: id, expected: String(describing: P.self), actual: kind)
        }
        return p
    }
}
