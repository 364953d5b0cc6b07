/// Who may still hold an application's client secret, as far as the task can see: Key Vault's
/// current version (its `keyId` tag) and every connection of the application that still signs in
/// with a secret, in every project the identity can list (a connection's key cannot be read, so
/// such a connection counts as a holder of every secret of its application).
struct SecretHolders: Sendable {
    let connections: ServiceEndpointClient
    let store: SecretStore?
    let secretName: String?

    /// Key Vault's current version: the keyId it holds and the connections its tags record.
    func vaultRecord() async throws -> (keyId: String?, connections: Set<String>)? {
        guard let store, let secretName, let latest = try await store.latest(secretName) else { return nil }
        return (latest.tags["keyId"], ConnectionRecord.names(in: latest.tags))
    }

    /// Secret-based connections of `appId`, by "project/name"; an entry "?" says a project could
    /// not be read (and so counts as a possible holder).
    func secretConnections(of appId: String) async -> [String] {
        let projects: [String]
        do {
            projects = try await connections.projectNames()
        } catch {
            return ["? (the projects of the organization could not be listed: \(error.kind))"]
        }
        var holders: [String] = []
        for project in projects {
            do {
                let all = try await connections.forProject(project).allEndpoints(type: "azurerm")
                for endpoint in all
                where endpoint.usesClientSecret && endpoint.servicePrincipalId?.lowercased() == appId.lowercased() {
                    holders.append("service connection '\(project)/\(endpoint.name)' (still on a client secret)")
                }
            } catch {
                holders.append("? (the connections of project \(project) could not be listed: \(error.kind))")
            }
        }
        return holders
    }
}
