/// Why the PAT owner's session could not be used or created, with the fix, as a value: tests
/// assert on the case, and the user's message is rendered here only.
enum PatOwnerSessionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Key Vault holds no refresh token under the name.
    case noSession(secretName: String, vault: String)
    /// Entra refused the stored refresh token for a reason only a new interactive sign-in fixes.
    case signInAgain(code: String, meaning: String, secretName: String, pipeline: String?)
    /// The renewed refresh token could not be stored and read back; the previous one stays.
    case renewalNotStored(secretName: String, error: String)
    /// Entra answered the refresh without a refresh token (the offline_access scope was not granted).
    case noRefreshToken(secretName: String)
    /// The person at the browser declined, or the sign-in was refused.
    case signInDeclined(String)
    /// Nobody completed the sign-in before the code expired.
    case signInExpired(minutes: Int)
    /// The browser's redirect carried another `state` than this run sent.
    case redirectStateMismatch
    /// The sign-in worked but its refresh token could not be stored.
    case loginNotStored(secretName: String, error: String)
    /// Without a vault identity, the owner's own sign-in could not obtain a Key Vault token.
    case ownerCannotReachVault(user: String, client: String, error: String)
    /// The stored session names no tenant or client, and the inputs give none either.
    case noTenantOrClient(secretName: String)

    static let fix = "run the pat-owner-login pipeline again"

    /// What each code the refresh-token grant may answer means (Microsoft Entra "authentication and
    /// authorization error codes", learn.microsoft.com/entra/identity-platform/reference-error-codes,
    /// and ".../refresh-tokens" for the 90-day inactivity rule; 70000 InvalidGrant, 9002313 malformed
    /// grant). All of them need a new interactive sign-in.
    static let signInAgainCodes: [String: String] = [
        "AADSTS700082":
            "the refresh token expired after 90 days without use; a weekly schedule of the PAT rotation keeps it alive",
        "AADSTS50173":
            "the session was revoked (a password change or reset, or an administrator or the user revoked the sessions)",
        "AADSTS50133": "the session ended with a password change or expiry",
        "AADSTS70043":
            "a Conditional Access sign-in frequency policy requires a fresh sign-in (exclude this app from that policy, or sign in again on its schedule)",
        "AADSTS50076": "Conditional Access now requires multifactor authentication for this sign-in",
        "AADSTS50079": "the user must now enrol in multifactor authentication",
        "AADSTS65001":
            "consent for the delegated Azure DevOps permission (vso.pats_manage) is missing or was withdrawn: grant admin consent on the app registration",
        "AADSTS70000":
            "Entra refused the stored refresh token as not valid (changed by hand, or issued to another client)",
        "AADSTS9002313": "Entra could not read the stored refresh token (changed by hand, or not a refresh token)",
    ]

    var description: String {
        switch self {
        case .noSession(let name, let vault):
            return
                "Key Vault \(vault) holds no secret '\(name)' (patOwnerRefreshTokenSecret): the PAT owner has not signed in yet. Fix: run the pat-owner-login pipeline (pipelines/pat-owner-login.yml). Nothing was changed."
        case .signInAgain(let code, let meaning, let name, let pipeline):
            let which = pipeline.map { " ('\($0)')" } ?? ""
            return
                "The PAT owner's session in Key Vault secret '\(name)' can no longer be renewed (\(code): \(meaning)). Nothing was changed. Fix: \(Self.fix)\(which): a person signs in once, and the next run uses the new session."
        case .renewalNotStored(let name, let error):
            return
                "The PAT owner's session was renewed, but the new refresh token could not be stored in Key Vault secret '\(name)' and read back (\(error)). Stopped before any change: the previous refresh token is still in Key Vault and Entra keeps it valid, so the next run works; fix the Key Vault access (the identity needs 'Key Vault Secrets Officer')."
        case .noRefreshToken(let name):
            return
                "Entra returned no refresh token for the PAT owner, so nothing was stored in '\(name)': the sign-in must ask for offline_access, and the app registration must allow it (delegated permission offline_access). Nothing was changed."
        case .signInDeclined(let detail):
            return
                "The sign-in was declined (\(detail)). Nothing was stored; run pat-owner-login again and approve the sign-in."
        case .signInExpired(let minutes):
            return
                "Nobody completed the sign-in within \(minutes) minutes, and the code expired. Nothing was stored; run pat-owner-login again and enter the code shown in the warning."
        case .redirectStateMismatch:
            return
                "The browser's answer did not carry the state this run sent (another sign-in, or a forged redirect), so it was ignored. Nothing was stored; run pat-owner-login again."
        case .loginNotStored(let name, let error):
            return
                "The PAT owner signed in, but the refresh token could not be stored in Key Vault secret '\(name)' and read back (\(error)). Nothing usable was stored; fix the Key Vault access and \(Self.fix)."
        case .ownerCannotReachVault(let user, let client, let error):
            return
                "\(user) signed in, but that sign-in could not get a token for Key Vault (\(error)), so nothing was stored. Without azureSubscription the session is stored with the PAT owner's own sign-in: give the app registration \(client) the delegated permission Azure Key Vault user_impersonation with admin consent (AADSTS650057 or AADSTS65001 say it is missing), and the PAT owner the role Key Vault Secrets Officer on the vault (docs/permissions.md); or set azureSubscription to a service connection that may write the vault. Then run pat-owner-login again."
        case .noTenantOrClient(let name):
            return
                "Key Vault secret '\(name)' has no tenant or client tag (pat-owner-login writes them): set tenantId and clientId, or run pat-owner-login again. Nothing was changed."
        }
    }
}
