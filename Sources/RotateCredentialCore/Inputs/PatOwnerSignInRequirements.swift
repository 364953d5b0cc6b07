/// What `pat-owner-login` and `patOwnerRefreshTokenSecret` need, checked with the other inputs
/// before any call (see ``ActionRequirements``).
enum PatOwnerSignInRequirements {
    static func check(_ configuration: Configuration, fail: (String, String) -> Void) {
        let action = configuration.action
        let signIn = configuration.patOwnerSignIn
        let vaultIdentity =
            "the identity that reads and writes the refresh token in Key Vault (an Azure Resource Manager service connection, or tenantId, clientId and clientSecret)"
        if action == .patOwnerLogin {
            if signIn == nil {
                fail(
                    "patOwnerRefreshTokenSecret",
                    "required for pat-owner-login: the Key Vault secret that receives the PAT owner's refresh token.")
            }
            // No vault identity is required: without one, the PAT owner's own sign-in writes the vault.
            if configuration.keyVault == nil {
                fail(
                    "keyVaultName", "required for pat-owner-login: the vault that keeps the PAT owner's refresh token.")
            }
            if signIn?.flow == .browser, signIn?.onAgent == true {
                fail(
                    "signInFlow",
                    "browser needs a browser on this machine, and a pipeline agent has none: use deviceCode (the default) in a pipeline, browser on a workstation."
                )
            }
            return
        }
        guard action.isPersonalAccessTokenAction, signIn != nil else { return }
        if configuration.patOwner != nil {
            fail(
                "patOwnerRefreshTokenSecret",
                "give either patOwnerRefreshTokenSecret or patOwnerUsername/patOwnerPassword or patOwnerAccessToken, not two of them."
            )
        }
        if configuration.keyVault == nil {
            fail(
                "keyVaultName",
                "required with patOwnerRefreshTokenSecret: the vault that keeps the PAT owner's refresh token.")
        }
        if configuration.azureIdentity == nil {
            fail("azureSubscription", "required with patOwnerRefreshTokenSecret: \(vaultIdentity).")
        }
    }
}
