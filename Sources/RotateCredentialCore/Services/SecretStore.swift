/// Stores a new credential value in Key Vault and proves it is there: the latest version read
/// back must be the version just written, with the same value. Only then may an old credential go.
public struct SecretStore: Sendable {
    /// The vault.
    let keyVault: KeyVaultClient

    /// Creates a store over a Key Vault client.
    public init(keyVault: KeyVaultClient) {
        self.keyVault = keyVault
    }

    /// The vault's URL.
    public var vaultURL: URL { keyVault.vaultURL }

    /// Writes `value` as a new version of `name` and reads the latest version back.
    /// Throws when the read-back differs (another writer, or a vault that did not keep the value).
    public func storeAndVerify(
        _ name: String, value: Secret, contentType: String, expires: Date?, tags: [String: String]
    ) async throws -> KeyVaultClient.SecretBundle {
        let written = try await keyVault.setSecret(
            name, value: value, contentType: contentType, expires: expires, tags: tags)
        let latest = try await keyVault.getSecret(name)
        guard KeyVaultClient.sameSecretId(latest.id, written.id), latest.value == value else {
            throw RotationFailure.readBackMismatch(secretName: name, version: written.id)
        }
        return latest
    }

    /// Undoes a new credential only while Key Vault does not hold it. A write whose answer was
    /// lost (a timeout, a failed read-back) may have landed: consumers then already read the new
    /// value, and revoking it would break them. When the vault cannot be read to tell, the
    /// credential is kept too, and the reason names it.
    public func guarding(_ compensation: Compensation, secretName: String, value: Secret, credential: String)
        -> Compensation
    {
        Compensation(compensation.title, leftBehind: compensation.leftBehind, takesBack: compensation.takesBack) {
            let latest: KeyVaultClient.SecretBundle?
            do {
                latest = try await keyVault.getSecretIfPresent(secretName)
            } catch {
                throw CompensationDeclined(
                    "\(credential) stays live: Key Vault secret '\(secretName)' could not be read to tell whether the write landed (\(error)); if it holds \(credential), consumers use it, else revoke it by hand"
                )
            }
            if latest?.value == value {
                throw CompensationDeclined(
                    "\(credential) stays live: Key Vault secret '\(secretName)' holds it (\(latest?.id ?? "")), so consumers read it"
                )
            }
            try await compensation.perform()
        }
    }

    /// The latest version of `name`, if any.
    public func latest(_ name: String) async throws -> KeyVaultClient.SecretBundle? {
        try await keyVault.getSecretIfPresent(name)
    }

    /// Turns a display name into a Key Vault secret name with `template` (`{displayName}`):
    /// characters outside `0-9 a-z A-Z -` become `-`, runs of `-` collapse, at most 127 characters.
    public static func secretName(template: String, displayName: String) -> String {
        let replaced = template.replacingOccurrences(of: "{displayName}", with: displayName)
        var result = ""
        for character in replaced {
            let allowed = character.isASCII && (character.isLetter || character.isNumber)
            let next: Character = allowed ? character : "-"
            if next == "-", result.hasSuffix("-") { continue }
            result.append(next)
        }
        result = result.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return String(result.prefix(127))
    }
}
