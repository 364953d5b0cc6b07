/// What `service-connection-convert` does with one listed connection, decided from the connection
/// alone before anything changes.
public enum ConversionDecision: Sendable, Equatable {
    /// A client-secret connection: federate it (`automatic`: Azure DevOps created it).
    case convert(automatic: Bool)
    /// Federated on the Azure DevOps issuer: move it to the Entra issuer.
    case moveIssuer
    /// Federated on the Entra issuer (or another issuer this task leaves alone): nothing to convert.
    case federated
    /// Not converted, and the run stops before any change: why and what to do.
    case refuse(String)

    /// Decides for `endpoint`. Refusals follow Microsoft's conversion rules
    /// (azure-devops-docs `docs/pipelines/library/connect-to-azure.md`: Azure Resource Manager
    /// connections only; "You can't convert cross-project service connections"), and Azure DevOps
    /// refuses any request while another operation is in progress (``ConversionState``).
    public static func decide(_ endpoint: ServiceEndpoint, convertAutomatic: Bool) -> ConversionDecision {
        guard endpoint.type.lowercased() == "azurerm" else {
            return .refuse(
                "its type is '\(endpoint.type)'; only Azure Resource Manager (azurerm) connections can use workload identity federation."
            )
        }
        if case .busy(let message) = ConversionState.of(endpoint) {
            return .refuse(
                "Azure DevOps is busy with another operation on it (operationStatus InProgress, '\(message)') and refuses changes until it ends; run again when it has finished."
            )
        }
        if endpoint.isWorkloadIdentityFederation {
            guard let issuer = endpoint.federationIssuer else { return .federated }
            return FederationIssuer(issuer) == .azureDevOps ? .moveIssuer : .federated
        }
        guard endpoint.scheme.lowercased() == "serviceprincipal" else {
            return .refuse(
                "its authorization scheme is '\(endpoint.scheme)'; only a service principal with a client secret is converted."
            )
        }
        guard endpoint.usesClientSecret else {
            return .refuse(
                "it authenticates with a certificate (\(endpoint.authenticationType ?? "")), not a client secret; this task converts secret-based connections only."
            )
        }
        if endpoint.isSharedAcrossProjects {
            return .refuse(
                "it is shared with other projects, and Azure DevOps does not convert cross-project connections. Stop sharing it, or create a federated connection per project."
            )
        }
        if endpoint.isAutomatic, !convertAutomatic {
            return .refuse(
                "it was created by Azure DevOps (creationMode Automatic). Set convertAutomaticConnections to true to convert it (Azure DevOps then federates the principal it manages), or use Convert in Project settings > Service connections."
            )
        }
        return .convert(automatic: endpoint.isAutomatic)
    }

    /// A short name for reports.
    public var label: String {
        switch self {
        case .convert(let automatic): return automatic ? "convert (Automatic)" : "convert"
        case .moveIssuer: return "move issuer"
        case .federated: return "federated"
        case .refuse: return "refused"
        }
    }
}
