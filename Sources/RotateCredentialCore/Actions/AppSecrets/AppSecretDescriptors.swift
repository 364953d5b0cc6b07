/// The client-secret actions and `service-connection-update`: each acts with the Azure identity
/// on one application's client secrets, or writes a secret into service connections.
extension ActionDescriptor {
    /// `app-secret-rotate` (``AppSecretRotateAction``, removes old secrets at the end).
    static let appSecretRotate = ActionDescriptor(
        "app-secret-rotate", reads: [.identities, .keyVault, .lifetimes, .clientSecret, .connections],
        requirements: [
            ActionRequirements.application, ActionRequirements.vaultOrConnections, ActionRequirements.clientSecretName,
            ActionRequirements.connectionAccess, ActionRequirements.keyVaultIdentity,
        ],
        tokens: .application(connections: true)
    ) { configuration throws(InternalError) in
        AppSecretRotateAction(mode: .rotate, target: try .of(configuration))
    }

    /// `app-secret-create` (``AppSecretRotateAction``, keeps old secrets for `app-secret-revoke`).
    static let appSecretCreate = ActionDescriptor(
        "app-secret-create", reads: [.identities, .keyVault, .lifetimes, .clientSecret, .connections],
        requirements: [
            ActionRequirements.application,
            ActionRequirements.keyVault("the new secret is stored in Key Vault until app-secret-revoke runs."),
            ActionRequirements.clientSecretName, ActionRequirements.connectionAccess,
            ActionRequirements.keyVaultIdentity,
        ],
        tokens: .application(connections: true)
    ) { configuration throws(InternalError) in
        AppSecretRotateAction(mode: .createOnly, target: try .of(configuration))
    }

    /// `app-secret-revoke` (``AppSecretRotateAction``, removes what no holder may still use).
    static let appSecretRevoke = ActionDescriptor(
        "app-secret-revoke", reads: [.identities, .keyVault, .lifetimes, .clientSecret],
        requirements: [ActionRequirements.application, ActionRequirements.keyVaultIdentity],
        tokens: .application(connections: false)
    ) { configuration throws(InternalError) in
        AppSecretRotateAction(mode: .revokeOnly, target: try .of(configuration))
    }

    /// `service-connection-update` (``ServiceConnectionUpdateAction``).
    static let serviceConnectionUpdate = ActionDescriptor(
        "service-connection-update", reads: [.identities, .keyVault, .clientSecret, .connections],
        requirements: [
            ActionRequirements.connectionAccess, ActionRequirements.serviceConnectionNames,
            ActionRequirements.secretToWrite, ActionRequirements.applicationUnlessForeign,
            ActionRequirements.keyVaultIdentity,
        ],
        tokens: .connectionsOnly
    ) { configuration throws(InternalError) in
        ServiceConnectionUpdateAction(connections: try .of(configuration), secret: try .of(configuration))
    }
}
