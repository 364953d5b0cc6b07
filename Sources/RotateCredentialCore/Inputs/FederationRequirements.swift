/// Which inputs `service-connection-convert` and `service-connection-list` need.
enum FederationRequirements {
    static func check(_ configuration: Configuration, fail: (String, String) -> Void) {
        let action = configuration.action
        guard action == .serviceConnectionConvert || action == .serviceConnectionList else {
            if configuration.federation.removeSecretAfterConversion {
                fail(
                    "removeSecretAfterConversion",
                    "only service-connection-convert removes secrets after conversion; use app-secret-revoke for \(action.rawValue)."
                )
            }
            return
        }
        if configuration.project == nil {
            fail(
                "project",
                "required for \(action.rawValue): the project that holds the service connections (SYSTEM_TEAMPROJECT in a pipeline)."
            )
        }
        if configuration.azureDevOpsIdentity == nil {
            fail(
                "azureDevOpsIdentity",
                "no identity for Azure DevOps: map SYSTEM_ACCESSTOKEN: $(System.AccessToken) into the step, or set azureDevOpsIdentity to azureSubscription with a service connection whose principal is a member of the organization."
            )
        }
        guard action == .serviceConnectionConvert else { return }
        if configuration.appSecret.serviceConnections.isEmpty {
            fail("serviceConnections", "required for service-connection-convert: one service connection name per line.")
        }
        if configuration.azureIdentity == nil {
            fail(
                "azureSubscription",
                "required for service-connection-convert: an Azure Resource Manager service connection (or tenantId, clientId and clientSecret) whose identity owns the connections' applications, to create their federated credentials."
            )
        }
    }
}
