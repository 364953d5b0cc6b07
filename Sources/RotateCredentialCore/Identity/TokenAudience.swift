/// The resources this task asks Entra tokens for.
enum TokenAudience: String, Sendable, Hashable {
    /// Azure DevOps (`499b84ac-…/.default`).
    case azureDevOps
    /// Microsoft Graph.
    case graph
    /// Azure Key Vault.
    case keyVault

    /// The `.default` scope in the configured cloud.
    func scope(_ urls: ServiceURLs) -> String {
        switch self {
        case .azureDevOps: return "499b84ac-1321-427f-aa17-267ca6975798/.default"
        case .graph: return urls.graph.absoluteString + "/.default"
        case .keyVault: return urls.keyVaultScope
        }
    }
}
