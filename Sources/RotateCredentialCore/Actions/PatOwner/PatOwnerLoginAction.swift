/// `pat-owner-login`: a person signs in once as the PAT owner (device code, or on a workstation the
/// browser with PKCE); the refresh token goes to Key Vault (`patOwnerRefreshTokenSecret`) with tags
/// naming user, tenant and client, no expiry, and is read back. Every PAT action then renews it.
///
/// The vault is written by the configured identity (`azureSubscription`, or a client secret), or,
/// without one, by the signed-in owner (``OwnerKeyVault``): a workstation needs only the public client.
/// Observe: with an identity, read what the vault holds before anyone is asked to sign in, so a missing
/// permission shows first. Act: sign in, store, read back, and prove the session can list PATs.
struct PatOwnerLoginAction: TaskAction {
    /// The secret that receives the session, and the flow.
    let signIn: PatOwnerSignIn
    /// The tenant the PAT owner signs in to.
    let tenant: String
    /// The public client the PAT owner signs in with.
    let client: String
    /// The vault that keeps the session.
    let vault: URL
    /// The identity that reads and writes it (`azureSubscription`, or a client secret); nil: the
    /// signed-in owner writes it (``OwnerKeyVault``).
    let identity: KeyVaultAccess?
    /// Opens the loopback listener of the browser flow (tests give their own).
    var openListener: @Sendable () throws -> any RedirectListener = { try LoopbackRedirectListener.open() }

    func run(_ context: ActionContext) async throws -> ActionResult {
        let configuration = context.configuration
        let identityVault = identity.map { context.keyVault($0) }
        if let identityVault {
            let current = try await PatOwnerSessionStore(keyVault: identityVault, secretName: signIn.secretName).read()
            context.output.info(describe(current, secretName: signIn.secretName))
        } else {
            context.output.info(
                "Key Vault \(vault.host ?? vault.absoluteString) is written with the PAT owner's own sign-in (no azureSubscription or clientSecret is set)."
            )
        }
        if configuration.dryRun {
            let title =
                "ask the PAT owner to sign in (\(signIn.flow.rawValue)) and store the refresh token in '\(signIn.secretName)'"
            context.output.info("[dry run] would \(title).")
            if let identityVault {
                context.access.plan([.writeSecret(name: signIn.secretName, vault: identityVault)], for: title)
            }
            return ActionResult(changed: true, summaryMarkdown: "")
        }
        let entra = EntraUserTokenClient(http: context.services.http, urls: context.services.urls)
        let tokens = try await signInTokens(signIn, entra: entra, tenant: tenant, client: client, context: context)
        guard let refresh = tokens.refreshToken else {
            throw PatOwnerSessionFailure.noRefreshToken(secretName: signIn.secretName)
        }
        let user = tokens.claims.user ?? "unknown"
        let keyVault: KeyVaultClient
        if let identityVault {
            keyVault = identityVault
        } else {
            keyVault = try await OwnerKeyVault(context: context).open(
                vault: vault, refreshToken: refresh, user: user, tenant: tokens.claims.tenantId ?? tenant,
                client: client)
        }
        let stored = try await store(
            refresh, in: keyVault, describing: identityVault == nil, signIn: signIn,
            tags: tags(signIn, tokens.claims, tenant: tenant, client: client, now: context.serviceNow), context: context
        )
        context.output.info("Signed in as \(user); stored the refresh token as \(stored.id) and read it back.")
        context.output.setVariable("keyVaultSecretId", stored.id)
        let count = try await prove(tokens.accessToken, user: user, context: context)
        return ActionResult(
            changed: true, summaryMarkdown: summary(user: user, signIn: signIn, stored: stored, count: count))
    }

    /// Stores the refresh token as a new version and reads it back; with the owner's own sign-in, first
    /// says what the vault held (it could not be read before the sign-in).
    private func store(
        _ refresh: Secret, in keyVault: KeyVaultClient, describing: Bool, signIn: PatOwnerSignIn,
        tags: [String: String], context: ActionContext
    ) async throws -> KeyVaultClient.SecretBundle {
        let store = PatOwnerSessionStore(keyVault: keyVault, secretName: signIn.secretName)
        do {
            if describing { context.output.info(describe(try await store.read(), secretName: signIn.secretName)) }
            return try await store.store(refresh, tags: tags)
        } catch {
            throw PatOwnerSessionFailure.loginNotStored(secretName: signIn.secretName, error: "\(error)")
        }
    }

    /// What the vault holds before the new session replaces it.
    private func describe(_ current: KeyVaultClient.SecretBundle?, secretName: String) -> String {
        guard let current else { return "Key Vault secret '\(secretName)' does not exist yet; the sign-in creates it." }
        let user = current.tags[PatOwnerSessionStore.Tag.user] ?? "an unknown user"
        let stored = current.created.map(Timestamp.format) ?? "at an unknown time"
        return
            "Key Vault secret '\(secretName)' holds a session of \(user) stored \(stored); a new sign-in replaces it."
    }

    /// Proves the new session can use the PAT Lifecycle Management API (a list, changing nothing).
    private func prove(_ accessToken: Secret, user: String, context: ActionContext) async throws -> Int {
        let credential = EntraCredential.session(accessToken: accessToken, owner: "\(user) (new session)")
        let count = try await PersonalAccessTokenClient(context: context.services, credential: credential).list().count
        context.output.info(
            "The session works: the PAT Lifecycle Management API lists \(count) active PAT(s) of \(user) in \(context.configuration.organization)."
        )
        return count
    }

    private func signInTokens(
        _ signIn: PatOwnerSignIn, entra: EntraUserTokenClient, tenant: String, client: String, context: ActionContext
    ) async throws -> EntraUserTokenClient.UserTokens {
        switch signIn.flow {
        case .deviceCode:
            return try await DeviceCodeSignIn(entra: entra, tenant: tenant, client: client, context: context).run()
        case .browser:
            let listener = try openListener()
            defer { listener.close() }
            return try await BrowserSignIn(
                entra: entra, tenant: tenant, client: client, context: context, listener: listener
            ).run()
        }
    }

    /// Who signed in, where, with which client and how: later runs redeem against the tenant and
    /// client recorded here, and name the pipeline to run again.
    private func tags(_ signIn: PatOwnerSignIn, _ claims: AccessTokenClaims, tenant: String, client: String, now: Date)
        -> [String: String]
    {
        typealias Tag = PatOwnerSessionStore.Tag
        var tags = [
            Tag.user: claims.user ?? "unknown", Tag.tenant: claims.tenantId ?? tenant, Tag.client: client,
            Tag.flow: signIn.flow.rawValue, Tag.signedInAt: Timestamp.format(now), Tag.renewedAt: Timestamp.format(now),
            Tag.renewedBy: ActionDescriptor.patOwnerLogin.name.rawValue,
        ]
        tags[Tag.objectId] = claims.objectId
        tags[Tag.pipeline] = signIn.pipelineName.map { String($0.prefix(256)) }
        return tags
    }

    private func summary(user: String, signIn: PatOwnerSignIn, stored: KeyVaultClient.SecretBundle, count: Int)
        -> String
    {
        """
        ## PAT owner signed in

        | | |
        |---|---|
        | User | \(user) |
        | Flow | \(signIn.flow.rawValue) |
        | Key Vault secret | \(stored.id) |
        | Active PATs | \(count) |

        Every PAT action with `patOwnerRefreshTokenSecret: \(signIn.secretName)` renews this session; it ends after 90 days without a run.

        """
    }
}
