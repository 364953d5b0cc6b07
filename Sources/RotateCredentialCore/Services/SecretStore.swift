/// Stores a new credential value in Key Vault and proves it is there: the latest version read
/// back must be the version just written, with the same value. Only then may an old credential go.
struct SecretStore: Sendable {
    /// The vault.
    let keyVault: KeyVaultClient

    /// Creates a store over a Key Vault client.
    init(keyVault: KeyVaultClient) {
        self.keyVault = keyVault
    }

    /// The vault's URL.
    var vaultURL: URL { keyVault.vaultURL }

    /// Writes `value` as a new version of `name` and reads the latest version back.
    /// Throws when the read-back differs (another writer, or a vault that did not keep the value).
    func storeAndVerify(
        _ name: String, value: Secret, contentType: String, expires: Date?, tags: [String: String]
    ) async throws -> KeyVaultClient.SecretBundle {
        let written = try await keyVault.setSecret(
            name, value: value, contentType: contentType, expires: expires, tags: tags)
        let latest = try await keyVault.getSecret(name)
        guard KeyVaultClient.sameSecretId(latest.id, written.id), latest.value == value else {
            throw ReadBackMismatch(secretName: name, version: written.id)
        }
        return latest
    }

    /// The latest version of `name`, if any.
    func latest(_ name: String) async throws -> KeyVaultClient.SecretBundle? {
        try await keyVault.getSecretIfPresent(name)
    }

    /// Turns a display name into a Key Vault secret name with `template` (`{displayName}`):
    /// characters outside `0-9 a-z A-Z -` become `-`, runs of `-` collapse, at most 127 characters.
    static func secretName(template: String, displayName: String) -> String {
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

/// Key Vault's read-back did not return the version just written.
struct ReadBackMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    /// The secret written.
    let secretName: String
    /// The version the write answered.
    let version: String

    var description: String {
        "Key Vault: reading back secret '\(secretName)' did not return the version just written (\(version)); another writer may have changed it. Nothing old was revoked."
    }
}
