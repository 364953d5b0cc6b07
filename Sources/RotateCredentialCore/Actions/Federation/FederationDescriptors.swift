/// The service-connection inventory and the conversion to workload identity federation.
extension ActionDescriptor {
    /// `service-connection-convert` (``ServiceConnectionConvertAction``).
    static let serviceConnectionConvert = ActionDescriptor(
        "service-connection-convert",
        reads: [.identities, .keyVault, .lifetimes, .clientSecret, .connections, .conversion, .pipelineOIDC],
        requirements: [
            FederationRequirements.projectConnections, ActionRequirements.serviceConnectionNames,
            FederationRequirements.federatedCredentialOwner, ActionRequirements.keyVaultIdentity,
        ],
        tokens: .application(connections: true)
    ) { configuration throws(InternalError) in
        ServiceConnectionConvertAction(
            target: try .of(configuration),
            identity: try InternalError.unwrap(
                configuration.identities.azure,
                "service-connection-convert without an Azure identity passed the input check"))
    }

    /// `service-connection-list` (``ServiceConnectionListAction``). It accepts the conversion
    /// options, so one step can switch between listing and converting by its action alone.
    static let serviceConnectionList = ActionDescriptor(
        "service-connection-list", reads: [.identities, .connections, .conversion],
        requirements: [FederationRequirements.projectConnections, ActionRequirements.keyVaultIdentity],
        tokens: .inventory
    ) { configuration throws(InternalError) in
        ServiceConnectionListAction(target: try .of(configuration))
    }
}
