import Foundation

/// The consumers of one application's secret and the clients to reach them: the Key Vault secret
/// (optional), the listed service connections (decided before anything changes) and Graph.
struct AppSecretConsumers: Sendable {
    let context: ActionContext
    let graph: GraphApplicationClient
    let store: SecretStore?
    let keyVault: KeyVaultClient?
    let secretName: String?
    let updater: ServiceConnectionUpdater?
    /// What to do with each listed connection (refusals were thrown at discovery).
    let changes: [ServiceConnectionChange]

    /// Connections that take a key, by name.
    var updatable: [String] {
        changes.compactMap { if case .update(let endpoint, _) = $0 { return endpoint.name } else { return nil } }
    }

    /// The change for `name`.
    func change(named name: String) -> ServiceConnectionChange? {
        changes.first { if case .update(let endpoint, _) = $0 { return endpoint.name.lowercased() == name.lowercased() } else { return false } }
    }

    /// Reads the application (by object id) and Key Vault's current version.
    func observe(objectId: String) async throws -> AppSecretObservation {
        let application = try await graph.application(objectId: objectId)
        var record: AppSecretObservation.Record?
        if let store, let secretName, let latest = try await store.latest(secretName), let keyId = latest.tags["keyId"] {
            record = .init(
                keyId: keyId, versionId: latest.id, stored: latest.created,
                connections: ConnectionRecord.names(in: latest.tags))
        }
        return AppSecretObservation(
            objectId: application.id, appId: application.appId, label: application.label,
            passwords: application.passwordCredentials, record: record, hasVault: store != nil, connections: updatable)
    }
}
