/// The project whose service connections an action reads or writes and the identity that reaches
/// them, as the descriptor builds it once the requirements accepted the inputs.
struct ConnectionsAccess: Sendable {
    /// The project.
    var project: String
    /// Who calls Azure DevOps.
    var identity: AzureDevOpsCredential

    /// The connections' project and identity of `configuration`.
    static func of(_ configuration: Configuration) throws(InternalError) -> ConnectionsAccess {
        ConnectionsAccess(
            project: try InternalError.unwrap(
                configuration.project, "\(configuration.action) without a project passed the input check"),
            identity: try InternalError.unwrap(
                configuration.identities.azureDevOps,
                "\(configuration.action) without an Azure DevOps identity passed the input check"))
    }
}
