/// Starts the token requests an action will need, all at once, before the action runs: they are
/// independent, so waiting for one before asking for the next would only add round trips to the
/// critical path. The cache keeps each request; the action awaits the result when it needs it,
/// and an error surfaces there, with the call that needed it.
enum TokenPrefetch {
    /// Which tokens an action asks for. An exhaustive switch: a new action does not compile until
    /// it states its rule (and `ActionGuardTests` checks that the rule asks for something).
    enum Rule: Sendable, Equatable {
        /// The PAT owner for Azure DevOps; with `vault`, Key Vault too.
        case patOwner(vault: Bool)
        /// The Azure identity for Graph, Key Vault (when configured) and the connections.
        case application(connections: Bool)
        /// Key Vault (unless the secret is an input) and the connections.
        case connectionsOnly
        /// The connections only, listed even when none is named (a read-only inventory).
        case inventory
    }

    /// The rule of `action`.
    static func rule(for action: Action) -> Rule {
        switch action {
        case .patList, .patRenew: return .patOwner(vault: false)
        case .patRotate, .patCreate, .patRevoke, .patOwnerLogin: return .patOwner(vault: true)
        case .appSecretRotate, .appSecretCreate: return .application(connections: true)
        case .appSecretRevoke: return .application(connections: false)
        case .serviceConnectionUpdate: return .connectionsOnly
        case .serviceConnectionConvert: return .application(connections: true)
        case .serviceConnectionList: return .inventory
        }
    }

    /// The identities and resources `configuration`'s action will ask tokens for.
    static func needs(_ configuration: Configuration) -> [(EntraCredential, TokenAudience)] {
        var needs: [(EntraCredential, TokenAudience)] = []
        let vaultIdentity =
            configuration.azureIdentity
            ?? (configuration.action.isPersonalAccessTokenAction ? configuration.patOwner : nil)
        var usesVault = false
        var usesConnections = false
        switch rule(for: configuration.action) {
        case .patOwner(let vault):
            if let owner = configuration.patOwner { needs.append((owner, .azureDevOps)) }
            // A stored PAT owner session (patOwnerRefreshTokenSecret) is read from Key Vault first.
            usesVault = vault || configuration.patOwnerSignIn != nil
        case .application(let connections):
            if let identity = configuration.azureIdentity { needs.append((identity, .graph)) }
            usesVault = true
            usesConnections = connections
        case .connectionsOnly:
            usesVault = configuration.appSecret.servicePrincipalKey == nil
            usesConnections = true
        case .inventory:
            usesConnections = true
        }
        if usesVault, configuration.keyVault != nil, let identity = vaultIdentity {
            needs.append((identity, .keyVault))
        }
        let listsAll = rule(for: configuration.action) == .inventory
        if usesConnections, !configuration.appSecret.serviceConnections.isEmpty || listsAll,
            case .entra(let identity) = configuration.azureDevOpsIdentity
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
