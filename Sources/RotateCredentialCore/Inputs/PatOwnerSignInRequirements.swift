/// The rules of `pat-owner-login` and of `patOwnerRefreshTokenSecret` (see ``ActionRequirements``).
enum PatOwnerSignInRequirements {
    /// What `pat-owner-login` needs: the secret and the vault that receive the session, and a flow
    /// that works where the task runs.
    static let login = Requirement { check in
        let configuration = check.configuration
        let signIn = configuration.identities.patOwnerSignIn
        if signIn == nil {
            check.fail(
                "patOwnerRefreshTokenSecret",
                "required for \(check.action): the Key Vault secret that receives the PAT owner's refresh token.")
        }
        // No vault identity is required: without one, the PAT owner's own sign-in writes the vault.
        if configuration.keyVault == nil {
            check.fail(
                "keyVaultName", "required for \(check.action): the vault that keeps the PAT owner's refresh token.")
        }
        if signIn?.flow == .browser, signIn?.onAgent == true {
            check.fail(
                "signInFlow",
                "browser needs a browser on this machine, and a pipeline agent has none: use deviceCode (the default) in a pipeline, browser on a workstation."
            )
        }
    }

    /// With `patOwnerRefreshTokenSecret`, a PAT action needs no other owner, and the vault and the
    /// identity that keep the session.
    static let session = Requirement { check in
        let configuration = check.configuration
        guard configuration.identities.patOwnerSignIn != nil else { return }
        if configuration.identities.patOwner != nil {
            check.fail(
                "patOwnerRefreshTokenSecret",
                "give either patOwnerRefreshTokenSecret or patOwnerUsername/patOwnerPassword or patOwnerAccessToken, not two of them."
            )
        }
        if configuration.keyVault == nil {
            check.fail(
                "keyVaultName",
                "required with patOwnerRefreshTokenSecret: the vault that keeps the PAT owner's refresh token.")
        }
        if configuration.identities.azure == nil {
            check.fail("azureSubscription", "required with patOwnerRefreshTokenSecret: \(vaultIdentity).")
        }
    }

    private static let vaultIdentity =
        "the identity that reads and writes the refresh token in Key Vault (an Azure Resource Manager service connection, or tenantId, clientId and clientSecret)"
}
