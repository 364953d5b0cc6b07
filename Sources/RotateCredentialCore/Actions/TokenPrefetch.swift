/// Starts the token requests an action will need, all at once, before the action runs: they are
/// independent, so waiting for one before asking for the next would only add round trips to the
/// critical path. The cache keeps each request; the action awaits the result when it needs it,
/// and an error surfaces there, with the call that needed it.
enum TokenPrefetch {
    /// Which tokens an action asks for: each descriptor states its rule
    /// (``ActionDescriptor/tokens``), and `ActionGuardTests` checks that it asks for something.
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

    /// The identities and resources an action with `rule` will ask tokens for under `configuration`.
    static func needs(_ configuration: Configuration, rule: Rule) -> [(EntraCredential, TokenAudience)] {
        let identities = configuration.identities
        var needs: [(EntraCredential, TokenAudience)] = []
        var usesVault = false
        var usesConnections = false
        switch rule {
        case .patOwner(let vault):
            if let owner = identities.patOwner { needs.append((owner, .azureDevOps)) }
            // A stored PAT owner session (patOwnerRefreshTokenSecret) is read from Key Vault first.
            usesVault = vault || identities.patOwnerSignIn != nil
        case .application(let connections):
            if let identity = identities.azure { needs.append((identity, .graph)) }
            usesVault = true
            usesConnections = connections
        case .connectionsOnly:
            usesVault = configuration.connections.servicePrincipalKey == nil
            usesConnections = true
        case .inventory:
            usesConnections = true
        }
        if usesVault, let vault = configuration.keyVaultAccess {
            needs.append((vault.credential, .keyVault))
        }
        if usesConnections, !configuration.connections.serviceConnections.isEmpty || rule == .inventory,
            case .entra(let identity) = identities.azureDevOps
        {
            needs.append((identity, .azureDevOps))
        }
        return needs
    }

    /// Starts every needed request without waiting for any.
    static func start(_ configuration: Configuration, rule: Rule, tokens: TokenCache) async {
        for (credential, audience) in needs(configuration, rule: rule) {
            await tokens.prefetch(credential, for: audience)
        }
    }
}
