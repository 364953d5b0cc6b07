/// Who may still hold an application's client secret, as far as the task can see: Key Vault's
/// current version (its `keyId` tag) and every connection of the application that still signs in
/// with a secret, in every project the identity can list (a connection's key cannot be read, so
/// such a connection counts as a holder of every secret of its application). Every page of projects
/// is read, and failed connections too (``ServiceEndpointClient/projectNames()``,
/// ``ServiceEndpointClient/allEndpoints(type:)``): a conversion that ended Failed still holds its
/// secret.
struct SecretHolders: Sendable {
    let connections: ServiceEndpointClient
    let store: SecretStore?
    let secretName: String?

    /// A connection that may hold the secret, or a place that could not be read (and so may).
    enum Holder: Sendable, Equatable, CustomStringConvertible {
        /// A connection of the application that still signs in with a client secret.
        case connection(project: String, id: String, name: String)
        /// The projects, or one project's connections, could not be listed.
        case unreadable(String)

        var description: String {
            switch self {
            case .connection(let project, let id, let name):
                return "service connection '\(project)/\(name)' (\(id); still on a client secret)"
            case .unreadable(let what): return "? (\(what))"
            }
        }
    }

    /// Key Vault's current version: the keyId it holds and the connections its tags record.
    func vaultRecord() async throws -> (keyId: String?, connections: Set<String>)? {
        guard let store, let secretName, let latest = try await store.latest(secretName) else { return nil }
        return (latest.tags["keyId"], ConnectionRecord.names(in: latest.tags))
    }

    /// The secret-based connections of `appId` in every project the identity can list.
    func secretConnections(of appId: String) async -> [Holder] {
        let search = await connections.secretConnections(of: appId, maxParallel: 8)
        return search.found.map { .connection(project: $0.project, id: $0.endpoint.id, name: $0.endpoint.name) }
            + search.unreadable.map(Holder.unreadable)
    }
}
