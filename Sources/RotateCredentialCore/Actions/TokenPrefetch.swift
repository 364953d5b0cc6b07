/// Starts the token requests an action will need, all at once, before the action runs: they are
/// independent, so waiting for one before asking for the next would only add round trips to the
/// critical path. The cache keeps each request; the action awaits the result when it needs it,
/// and an error surfaces there, with the call that needed it.
enum TokenPrefetch {
    /// The identities and resources `configuration`'s action will ask tokens for.
    static func needs(_ configuration: Configuration) -> [(EntraCredential, TokenAudience)] {
        var needs: [(EntraCredential, TokenAudience)] = []
        let action = configuration.action
        let vaultIdentity = configuration.azureIdentity ?? (action.isPersonalAccessTokenAction ? configuration.patOwner : nil)
        if action.isPersonalAccessTokenAction, let owner = configuration.patOwner {
            needs.append((owner, .azureDevOps))
        }
        if [.appSecretRotate, .appSecretCreate, .appSecretRevoke, .serviceConnectionConvert].contains(action), let identity = configuration.azureIdentity {
            needs.append((identity, .graph))
        }
        let usesVault = action != .patList && action != .patRenew && action != .serviceConnectionList
            && !(action == .serviceConnectionUpdate && configuration.appSecret.servicePrincipalKey != nil)
        if usesVault, configuration.keyVault != nil, let identity = vaultIdentity {
            needs.append((identity, .keyVault))
        }
        if !configuration.appSecret.serviceConnections.isEmpty || action == .serviceConnectionList, action != .appSecretRevoke,
            !action.isPersonalAccessTokenAction, case .entra(let identity) = configuration.azureDevOpsIdentity
        {
            needs.append((identity, .azureDevOps))
        }
        return needs
    }

    /// Starts every needed request without waiting for any.
    static func start(_ configuration: Configuration, tokens: TokenCache) async {
        for (credential, audience) in needs(configuration) {
            await tokens.prefetch(credential, for: audience)
        }
    }
}
