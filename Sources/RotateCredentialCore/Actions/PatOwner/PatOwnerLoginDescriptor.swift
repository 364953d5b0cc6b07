extension ActionDescriptor {
    /// `pat-owner-login` (``PatOwnerLoginAction``): signs the PAT owner in and keeps the session in Key Vault.
    static let patOwnerLogin = ActionDescriptor(
        "pat-owner-login", reads: [.identities, .patOwnerSignIn, .keyVault],
        // No Key Vault identity is required: without one, the owner's own sign-in writes the vault.
        requirements: [PatOwnerSignInRequirements.login],
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
                configuration.keyVault?.url, "pat-owner-login without Key Vault passed the input check"),
            identity: configuration.keyVaultAccess)
    }
}
