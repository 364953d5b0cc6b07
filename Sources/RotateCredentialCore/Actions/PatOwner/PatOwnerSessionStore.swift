/// The PAT owner's refresh token in Key Vault: one secret, a new version at every sign-in and
/// renewal, no expiry date (Entra ends the session, not the vault), tags naming user, tenant and
/// client, and a content type that says what the value is.
struct PatOwnerSessionStore: Sendable {
    /// The secret's content type.
    static let contentType = "application/vnd.microsoft.entra.refresh-token; purpose=rotate-credential-pat-owner"

    /// Tag names (Key Vault allows 15 tags of up to 256 characters).
    enum Tag {
        static let user = "user"
        static let objectId = "userObjectId"
        static let tenant = "tenant"
        static let client = "client"
        static let flow = "signInFlow"
        static let signedInAt = "signedInAt"
        static let renewedAt = "renewedAt"
        static let renewedBy = "renewedBy"
        static let pipeline = "signInPipeline"
    }

    let keyVault: KeyVaultClient
    let secretName: String

    /// The vault's host, for messages.
    var vaultName: String { keyVault.vaultURL.host ?? keyVault.vaultURL.absoluteString }

    /// The latest version, or nil when the secret does not exist.
    func read() async throws -> KeyVaultClient.SecretBundle? {
        try await keyVault.getSecretIfPresent(secretName)
    }

    /// Writes `refreshToken` as a new version and reads the latest version back; it must be the same.
    func store(_ refreshToken: Secret, tags: [String: String]) async throws -> KeyVaultClient.SecretBundle {
        try await SecretStore(keyVault: keyVault).storeAndVerify(
            secretName, value: refreshToken, contentType: Self.contentType, expires: nil, tags: tags)
    }
}
