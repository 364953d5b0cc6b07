/// The vault that receives new values.
struct KeyVaultTarget: Sendable {
    /// The vault's URL, e.g. `https://kv-rotation.vault.azure.net`.
    var url: URL
    /// Secret name or template with `{displayName}` (`secretName`); nil when not given.
    var secretNameTemplate: String?
}

/// A vault together with the identity that reads and writes it, as an action that needs the
/// vault is built with it (``Configuration/keyVaultAccess``).
struct KeyVaultAccess: Sendable {
    /// The vault's URL.
    var url: URL
    /// Secret name or template (`secretName`), when given.
    var secretNameTemplate: String?
    /// Who reads and writes it.
    var credential: EntraCredential
}
