/// Key Vault reached with the PAT owner's own sign-in: how `pat-owner-login` stores the session when no
/// identity for the vault is configured (no `azureSubscription`, no `clientSecret`), as on a workstation
/// that has only the public client.
///
/// The sign-in's refresh token is redeemed once more, for Key Vault's scope instead of Azure DevOps'.
/// Entra allows that when the app registration has the delegated permission Azure Key Vault
/// `user_impersonation`, consented (otherwise it answers AADSTS650057 "invalid resource", or AADSTS65001
/// when consent is missing); the vault then checks the owner's own data role (Key Vault Secrets
/// Officer). Sources: Microsoft identity platform, "Refresh tokens" (not bound to a resource) and
/// "OAuth 2.0 authorization code flow" (refresh-token grant with `scope`).
struct OwnerKeyVault: Sendable {
    let context: ActionContext

    /// A Key Vault client for `vault` that authenticates as the signed-in owner.
    func open(vault: URL, refreshToken: Secret, user: String, tenant: String, client: String) async throws
        -> KeyVaultClient
    {
        let entra = EntraUserTokenClient(http: context.services.http, urls: context.services.urls)
        let tokens: EntraUserTokenClient.UserTokens
        do {
            tokens = try await entra.redeem(
                refreshToken: refreshToken, tenant: tenant, client: client, scope: context.services.urls.keyVaultScope,
                operation: "get a Key Vault token for \(user) with the new sign-in (application \(client))")
        } catch {
            throw PatOwnerSessionFailure.ownerCannotReachVault(user: user, client: client, error: "\(error)")
        }
        let credential = EntraCredential.session(
            accessToken: tokens.accessToken, owner: "\(user) (the PAT owner's own sign-in)")
        return KeyVaultClient(context: context.services, vault: vault, credential: credential)
    }
}
