/// `gate`: wait for a person's approval (`mailshift approve`), recorded in the journal.
public struct GateParameters: StepParameterSet {
    public var message: String
    public var autoApprove: Bool

    public init(message: String, autoApprove: Bool) {
        self.message = message
        self.autoApprove = autoApprove
    }

    enum CodingKeys: String, CodingKey { case message, autoApprove = "auto_approve" }

    public func expanded(_ t: (String) -> String) -> Self { self }
}
