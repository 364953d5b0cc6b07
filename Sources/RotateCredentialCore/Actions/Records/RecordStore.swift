/// Where a scope's ``CredentialRecord`` lives: one Key Vault secret next to the secrets it
/// describes (`rotate-credential-pats-{organization}`, `rotate-credential-app-{appId}`), read as
/// plain JSON (it holds no secret), written as a new version.
struct RecordStore: Sendable {
    /// The record of every PAT of `organization` stored in this vault.
    static func personalAccessTokens(organization: String) -> String { "pats:\(organization.lowercased())" }
    /// The record of one application's client secrets.
    static func application(appId: String) -> String { "application:\(appId.lowercased())" }

    /// The content type that marks a record (a secret of that name without it is not ours).
    static let contentType = "application/vnd.rotate-credential.record+json"

    let keyVault: KeyVaultClient
    /// The scope, e.g. ``personalAccessTokens(organization:)``.
    let scope: String

    /// The secret's name: `rotate-credential-` and the scope, with `:` as `-`.
    var secretName: String {
        "rotate-credential-" + scope.map { $0 == ":" ? "-" : $0 }.map(String.init).joined()
    }

    /// The latest record; an empty one when there is none yet.
    func read() async throws -> CredentialRecord {
        guard let latest = try await keyVault.getTextIfPresent(secretName) else {
            return CredentialRecord(scope: scope)
        }
        guard latest.contentType == Self.contentType, let data = latest.text.data(using: .utf8),
            let record = try? JSON.decoder().decode(CredentialRecord.self, from: data), record.scope == scope
        else {
            throw RotationFailure.recordUnreadable(
                secretName: secretName, vault: keyVault.vaultURL.absoluteString,
                reason: latest.contentType == Self.contentType
                    ? "its JSON is not a record of \(scope) this version understands"
                    : "it exists but is not a record of this task (content type \(latest.contentType ?? "none"))")
        }
        guard record.schema <= CredentialRecord.currentSchema else {
            throw RotationFailure.recordUnreadable(
                secretName: secretName, vault: keyVault.vaultURL.absoluteString,
                reason: "it was written by a newer version of this task (format \(record.schema))")
        }
        return record
    }

    /// Writes `record` as the new latest version.
    func write(_ record: CredentialRecord) async throws {
        let data = try JSON.encoder().encode(record)
        _ = try await keyVault.setSecret(
            secretName, value: Secret(String(decoding: data, as: UTF8.self)), contentType: Self.contentType,
            expires: nil, tags: ["createdBy": "rotate-credential", "scope": scope])
    }
}
