/// What a listed connection is to `service-connection-convert` (and what `service-connection-list`
/// advises for it), read from the connection alone before anything changes.
enum ConnectionKind: Sendable, Equatable {
    /// A client-secret connection, to federate (`automatic`: Azure DevOps created it).
    case secret(automatic: Bool)
    /// Federated on the Azure DevOps issuer: to move to the Entra issuer.
    case azureDevOpsIssuer
    /// Federated on the Entra issuer (or another issuer this task leaves alone).
    case federated
    /// Not converted, and the run stops before any change: why and what to do.
    case refused(String)

    /// Classifies `endpoint`. Refusals follow Microsoft's conversion rules
    /// (azure-devops-docs `docs/pipelines/library/connect-to-azure.md`: Azure Resource Manager
    /// connections only; "You can't convert cross-project service connections"), and Azure DevOps
    /// refuses any request while another operation is in progress (``ConversionState``).
    static func of(_ endpoint: ServiceEndpoint, convertAutomatic: Bool) -> ConnectionKind {
        guard endpoint.type.lowercased() == "azurerm" else {
            return .refused(
                "its type is '\(endpoint.type)'; only Azure Resource Manager (azurerm) connections can use workload identity federation."
            )
        }
        if case .busy(let message) = ConversionState.of(endpoint) {
            return .refused(
                "Azure DevOps is busy with another operation on it (operationStatus InProgress, '\(message)') and refuses changes until it ends; run again when it has finished."
            )
        }
        if endpoint.isWorkloadIdentityFederation {
            guard let issuer = endpoint.federationIssuer else { return .federated }
            return FederationIssuer(issuer) == .azureDevOps ? .azureDevOpsIssuer : .federated
        }
        guard endpoint.scheme.lowercased() == "serviceprincipal" else {
            return .refused(
                "its authorization scheme is '\(endpoint.scheme)'; only a service principal with a client secret is converted."
            )
        }
        guard endpoint.usesClientSecret else {
            return .refused(
                "it authenticates with a certificate (\(endpoint.authenticationType ?? "")), not a client secret; this task converts secret-based connections only."
            )
        }
        if endpoint.isSharedAcrossProjects {
            return .refused(
                "it is shared with other projects, and Azure DevOps does not convert cross-project connections. Stop sharing it, or create a federated connection per project."
            )
        }
        if endpoint.isAutomatic, !convertAutomatic {
            return .refused(
                "it was created by Azure DevOps (creationMode Automatic). Set convertAutomaticConnections to true to convert it (Azure DevOps then federates the principal it manages), or use Convert in Project settings > Service connections."
            )
        }
        return .secret(automatic: endpoint.isAutomatic)
    }

    /// A short name for reports.
    var label: String {
        switch self {
        case .secret(let automatic): return automatic ? "convert (Automatic)" : "convert"
        case .azureDevOpsIssuer: return "move issuer"
        case .federated: return "federated"
        case .refused: return "refused"
        }
    }
}
