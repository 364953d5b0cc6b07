/// Where the secret `service-connection-update` writes comes from, as its descriptor builds it
/// once ``ActionRequirements/secretToWrite`` accepted the inputs.
enum SecretToWrite: Sendable {
    /// The `servicePrincipalKey` input.
    case input(Secret)
    /// The latest version of the Key Vault secret `secretName`.
    case keyVault(KeyVaultAccess, secretName: String)

    /// The secret source of `configuration`.
    static func of(_ configuration: Configuration) throws(InternalError) -> SecretToWrite {
        if let key = configuration.connections.servicePrincipalKey { return .input(key) }
        let vault = try InternalError.unwrap(
            configuration.keyVaultAccess, "\(configuration.action) without a secret to write passed the input check")
        let name = try InternalError.unwrap(
            vault.secretNameTemplate, "\(configuration.action) without secretName passed the input check")
        return .keyVault(vault, secretName: name)
    }
}
