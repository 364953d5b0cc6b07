/// The rules of `service-connection-convert` and `service-connection-list` (see ``ActionRequirements``).
enum FederationRequirements {
    /// The project whose connections are read or converted, and an identity for Azure DevOps.
    static let projectConnections = Requirement { check in
        if check.configuration.project == nil {
            check.fail(
                "project",
                "required for \(check.action): the project that holds the service connections (SYSTEM_TEAMPROJECT in a pipeline)."
            )
        }
        if check.configuration.identities.azureDevOps == nil {
            check.fail("azureDevOpsIdentity", ActionRequirements.noAzureDevOpsIdentity)
        }
    }

    /// The identity that creates the federated credentials of the converted connections' applications.
    static let federatedCredentialOwner = Requirement { check in
        guard check.configuration.identities.azure == nil else { return }
        check.fail(
            "azureSubscription",
            "required for \(check.action): an Azure Resource Manager service connection (or tenantId, clientId and clientSecret) whose identity owns the connections' applications, to create their federated credentials."
        )
    }
}
