/// Added by the lab (issue 5): who owns the `.forward` files forward.divert/restore write.
extension StepParameterKey {
    /// `unchanged`: leave each written `.forward` owned by the account mailshift runs as (lab
    /// users are not system users). Absent: chown to the mail user (the production default).
    public static let forwardOwner = "forward_owner"
}
