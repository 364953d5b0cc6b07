/// The application whose client secret is managed, and how its secrets are added and kept
/// (`applicationId`, `secretDisplayName`, `replicationTimeoutSeconds`, `keepSecrets`).
struct ClientSecretOptions: Sendable {
    /// appId or object id.
    var applicationId: String?
    /// Display name of the new secret.
    var secretDisplayName: String?
    /// How long to wait for a new secret (or federated credential) to work.
    var replicationTimeoutSeconds: Int
    /// Secrets always kept, newest first.
    var keepSecrets: Int
}
