/// The PAT owner's identity for a PAT action when `patOwnerRefreshTokenSecret` is set.
///
/// Observe: read the refresh token and its tags from Key Vault. Act: redeem it (Entra answers a
/// new access token and a new refresh token; the old refresh token stays valid, per Microsoft
/// identity platform "Refresh tokens": "doesn't revoke old refresh tokens when used"), store the
/// new refresh token as a new version and read it back, and only then hand out the access token.
/// A failure before that point changes nothing: the previous version still works next time.
struct PatOwnerSessionRenewal: Sendable {
    let context: ActionContext
    let signIn: PatOwnerSignIn
    /// The vault that keeps the session.
    let vault: KeyVaultAccess

    /// The renewed session: the access token for the PAT API and what the report says about it.
    func renew() async throws -> RenewedPatOwnerSession {
        let output = context.output
        let store = PatOwnerSessionStore(keyVault: context.keyVault(vault), secretName: signIn.secretName)
        guard let current = try await store.read() else {
            throw PatOwnerSessionFailure.noSession(secretName: signIn.secretName, vault: store.vaultName)
        }
        let tenant = current.tags[PatOwnerSessionStore.Tag.tenant] ?? signIn.tenantId ?? ""
        let client = current.tags[PatOwnerSessionStore.Tag.client] ?? signIn.clientId ?? ""
        guard !tenant.isEmpty, !client.isEmpty else {
            throw PatOwnerSessionFailure.noTenantOrClient(secretName: signIn.secretName)
        }
        output.info(
            "Renewing the PAT owner's session (\(current.tags[PatOwnerSessionStore.Tag.user] ?? "user unknown"), Key Vault secret '\(signIn.secretName)' version \(current.id.split(separator: "/").last.map(String.init) ?? current.id), stored \(current.created.map(Timestamp.format) ?? "at an unknown time"))…"
        )
        let tokens = try await redeem(current, tenant: tenant, client: client)
        var session = RenewedPatOwnerSession(
            accessToken: tokens.accessToken, user: tokens.claims.user ?? current.tags[PatOwnerSessionStore.Tag.user],
            secretName: signIn.secretName, previousRenewal: current.created, storedVersion: nil)
        guard let refresh = tokens.refreshToken else {
            output.info("Entra returned no new refresh token; the stored one stays in use.")
            return session
        }
        if context.configuration.dryRun {
            let title = "store the renewed refresh token as a new version of '\(signIn.secretName)'"
            output.info("[dry run] would \(title) (the stored one stays valid).")
            context.access.note(
                "The PAT owner's session (Key Vault secret '\(signIn.secretName)'): Entra accepted the stored refresh token (redeemed by this dry run; the renewed token was not stored, the stored one stays valid)."
            )
            context.access.plan([.writeSecret(name: signIn.secretName, vault: store.keyVault)], for: title)
            return session
        }
        do {
            let tags = renewedTags(current.tags, user: session.user, tenant: tenant, client: client)
            session.storedVersion = try await store.store(refresh, tags: tags).id
        } catch {
            throw PatOwnerSessionFailure.renewalNotStored(secretName: signIn.secretName, error: "\(error)")
        }
        output.info("Stored the renewed refresh token as \(session.storedVersion ?? "") and read it back.")
        return session
    }

    /// The previous version's tags (who signed in, where, the sign-in pipeline) plus this renewal.
    private func renewedTags(_ previous: [String: String], user: String?, tenant: String, client: String)
        -> [String: String]
    {
        typealias Tag = PatOwnerSessionStore.Tag
        var tags = previous
        tags[Tag.renewedAt] = Timestamp.format(context.serviceNow)
        tags[Tag.renewedBy] = context.configuration.action.rawValue
        tags[Tag.user] = user ?? previous[Tag.user]
        tags[Tag.tenant] = tenant
        tags[Tag.client] = client
        return tags
    }

    private func redeem(_ current: KeyVaultClient.SecretBundle, tenant: String, client: String) async throws
        -> EntraUserTokenClient.UserTokens
    {
        let entra = EntraUserTokenClient(http: context.services.http, urls: context.services.urls)
        do {
            return try await entra.redeem(refreshToken: current.value, tenant: tenant, client: client)
        } catch {
            guard let code = error.code, let meaning = PatOwnerSessionFailure.signInAgainCodes[code] else {
                throw error
            }
            throw PatOwnerSessionFailure.signInAgain(
                code: code, meaning: meaning, secretName: signIn.secretName,
                pipeline: current.tags[PatOwnerSessionStore.Tag.pipeline])
        }
    }
}

/// A session renewed for this run.
struct RenewedPatOwnerSession: Sendable {
    /// The access token for Azure DevOps (never shown).
    let accessToken: Secret
    /// Who signed in.
    let user: String?
    /// The Key Vault secret.
    let secretName: String
    /// When the version read at the start was stored: the previous sign-in or renewal.
    let previousRenewal: Date?
    /// The version stored now (nil in a dry run, or when Entra did not rotate the token).
    var storedVersion: String?

    /// One line for the log and the summary of `pat-list`.
    func describe(now: Date) -> String {
        let previous =
            previousRenewal.map {
                "\(Timestamp.format($0)) (\(Int(now.timeIntervalSince($0) / 86_400)) days ago)"
            } ?? "at an unknown time"
        let renewed = storedVersion.map { "renewed now as \($0)" } ?? "not stored again this run"
        return
            "PAT owner session (\(user ?? "user unknown"), Key Vault secret '\(secretName)'): last renewed \(previous); \(renewed). It expires after 90 days without a run."
    }
}
