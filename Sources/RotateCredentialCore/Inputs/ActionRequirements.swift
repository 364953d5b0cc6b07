/// Which inputs each action needs, checked after the inputs are read and before any call.
enum ActionRequirements {
    static func check(_ configuration: inout Configuration, errors: inout [InputError]) {
        let action = configuration.action
        func fail(_ input: String, _ message: String) { errors.append(InputError(input, message)) }

        if action.isPersonalAccessTokenAction {
            if configuration.patOwner == nil {
                if configuration.azureIdentity != nil {
                    fail("patOwnerUsername", "the PAT Lifecycle Management API accepts only a user's token; a service principal or workload identity (client credentials) is rejected by the service. Set patOwnerUsername and patOwnerPassword (a technical user) or patOwnerAccessToken.")
                } else {
                    fail("patOwnerUsername", "required for \(action.rawValue): the technical user whose PATs are managed (with patOwnerPassword, tenantId and clientId), or give patOwnerAccessToken.")
                }
            }
            if action != .patList, configuration.pat.displayNames.isEmpty {
                fail("tokenDisplayNames", "required for \(action.rawValue): one display name per line (* wildcards allowed); no name selects no token.")
            }
        }
        if action == .patRotate || action == .patCreate {
            if configuration.keyVault == nil {
                fail("keyVaultName", "required for \(action.rawValue): every new token is stored in Key Vault before an old one is revoked.")
            }
        }
        if action == .patRevoke, configuration.keyVault == nil {
            fail("keyVaultName", "required for pat-revoke: an older token is revoked only when Key Vault holds the newest token's value (the secret pat-create wrote).")
        }
        let appActions: [Action] = [.appSecretRotate, .appSecretCreate, .appSecretRevoke]
        if appActions.contains(action) {
            if configuration.appSecret.applicationId == nil {
                fail("applicationId", "required for \(action.rawValue): the application (client) id or object id, a GUID.")
            }
            if configuration.azureIdentity == nil {
                fail("azureSubscription", "required for \(action.rawValue): an Azure Resource Manager service connection (or tenantId, clientId and clientSecret outside pipelines) whose identity owns the application.")
            }
        }
        if let id = configuration.appSecret.applicationId, !ConfigurationLoader.isGUID(id) {
            fail("applicationId", "'\(id)' is not a GUID (the application id or object id).")
        }
        if action == .appSecretCreate, configuration.keyVault == nil {
            fail("keyVaultName", "required for app-secret-create: the new secret is stored in Key Vault until app-secret-revoke runs.")
        }
        if action == .appSecretRotate, configuration.keyVault == nil, configuration.appSecret.serviceConnections.isEmpty {
            fail("keyVaultName", "app-secret-rotate needs somewhere to store the new secret: keyVaultName (or keyVaultUrl), serviceConnections, or both.")
        }
        if configuration.keyVault != nil, [.appSecretRotate, .appSecretCreate].contains(action) {
            if let template = configuration.keyVault?.secretNameTemplate {
                if template.contains("{displayName}") {
                    fail("secretName", "placeholders are for PAT actions; give the secret name for the client secret.")
                }
            } else {
                fail("secretName", "required with keyVaultName for \(action.rawValue): the Key Vault secret that holds the client secret.")
            }
        }
        if configuration.keyVault != nil, action.isPersonalAccessTokenAction,
            configuration.keyVault?.secretNameTemplate == nil
        {
            configuration.keyVault?.secretNameTemplate = "pat-{displayName}"
        }
        let connectionActions: [Action] = [.appSecretRotate, .appSecretCreate, .serviceConnectionUpdate]
        if connectionActions.contains(action), !configuration.appSecret.serviceConnections.isEmpty {
            if configuration.project == nil {
                fail("project", "required with serviceConnections: the project that holds them (SYSTEM_TEAMPROJECT in a pipeline).")
            }
            if configuration.azureDevOpsIdentity == nil {
                fail("azureDevOpsIdentity", "no identity for Azure DevOps: map SYSTEM_ACCESSTOKEN: $(System.AccessToken) into the step, or set azureDevOpsIdentity to azureSubscription with a service connection whose principal is a member of the organization.")
            }
        }
        if action == .serviceConnectionUpdate {
            if configuration.appSecret.serviceConnections.isEmpty {
                fail("serviceConnections", "required for service-connection-update: one service connection name per line.")
            }
            if configuration.appSecret.servicePrincipalKey == nil {
                if configuration.keyVault?.secretNameTemplate == nil {
                    fail("servicePrincipalKey", "service-connection-update needs the secret to write: servicePrincipalKey (from a secret variable), or keyVaultName and secretName to read it from Key Vault.")
                } else if configuration.azureIdentity == nil {
                    fail("azureSubscription", "required to read the secret from Key Vault: an Azure Resource Manager service connection, or tenantId, clientId and clientSecret.")
                }
            }
            if configuration.appSecret.applicationId == nil, !configuration.appSecret.allowForeignServiceConnections {
                fail("applicationId", "required for service-connection-update (the application whose secret is written), unless allowForeignServiceConnections is true.")
            }
        }
        FederationRequirements.check(configuration, fail: fail)
        if configuration.keyVault != nil, configuration.azureIdentity == nil, !action.isPersonalAccessTokenAction {
            fail("azureSubscription", "required to use Key Vault: an Azure Resource Manager service connection, or tenantId, clientId and clientSecret.")
        }
        if [.patRotate, .patCreate, .patRevoke].contains(action), configuration.keyVault != nil,
            configuration.azureIdentity == nil, case .accessToken = configuration.patOwner
        {
            fail("azureSubscription", "required to use Key Vault with patOwnerAccessToken (that token is for Azure DevOps only): an Azure Resource Manager service connection, or tenantId, clientId and clientSecret.")
        }
    }
}
