extension ActionDescriptor {
    /// `pat-owner-login` (``PatOwnerLoginAction``): signs the PAT owner in and keeps the session in Key Vault.
    static let patOwnerLogin = ActionDescriptor(
        "pat-owner-login", reads: [.identities, .patOwnerSignIn, .keyVault],
        requirements: [PatOwnerSignInRequirements.login, ActionRequirements.keyVaultIdentity],
        tokens: .patOwner(vault: true)
    ) { configuration throws(InternalError) in
        let signIn = try InternalError.unwrap(
            configuration.identities.patOwnerSignIn,
            "pat-owner-login without patOwnerRefreshTokenSecret passed the input check")
        return PatOwnerLoginAction(
            signIn: signIn,
            tenant: try InternalError.unwrap(
                signIn.tenantId, "pat-owner-login without tenantId passed the input check"),
            client: try InternalError.unwrap(
                signIn.clientId, "pat-owner-login without clientId passed the input check"),
            vault: try InternalError.unwrap(
                configuration.keyVaultAccess, "pat-owner-login without Key Vault passed the input check"))
    }
}
