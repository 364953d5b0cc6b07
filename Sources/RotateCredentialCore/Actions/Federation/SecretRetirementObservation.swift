/// An application whose listed connections now use workload identity federation, and everything
/// that may still hold the client secret they used, as the rotations see holders: Key Vault's
/// current version, the task's record (which secret it gave which connection, the secrets people
/// made) and, once looked for, every secret-based connection of the application in every project.
struct SecretRetirementObservation: Sendable, Equatable {
    /// The application and its client secrets.
    var application: GraphApplication
    /// Its listed connections, federated on the Entra issuer.
    var connections: [FederatedConnection]
    /// Key Vault's current version of `secretName`, when a vault is configured.
    var vault: VaultVersion?
    /// The application's record (nil without a vault).
    var record: CredentialRecord?
    /// Secret-based connections of the application in every project; nil until looked for.
    var scan: BystanderScan?
    /// Secrets this run removed.
    var removed: [PasswordCredential] = []

    /// This observation with one plan's `effects` laid over it.
    func applying(_ effects: [StepEffect]) -> SecretRetirementObservation {
        var next = self
        for effect in effects {
            switch effect {
            case .foundBystanders(let scan):
                next.scan = scan
            case .removedSecret(let secret):
                next.removed.append(secret)
                next.application.passwordCredentials.removeAll { $0.keyId == secret.keyId }
            default:
                continue
            }
        }
        return next
    }
}

/// A listed connection now federated on the Entra issuer.
struct FederatedConnection: Sendable, Equatable {
    var id: String
    var name: String
    /// When it became federated (``ConversionTime``); nil when the task cannot tell.
    var converted: Date?
}

/// What Key Vault's current version of the configured secret records.
struct VaultVersion: Sendable, Equatable {
    var secretName: String
    /// Its `keyId` tag.
    var keyId: String?
    /// The connections its `connections` tag names (versions written before the record).
    var connections: Set<String>
}

/// What the retirement wants: the grace period after the conversion.
struct SecretRetirementPolicy: Sendable, Equatable {
    var graceHours: Int
}
