/// The rules an action's descriptor picks its requirements from (``ActionDescriptor/requirements``):
/// the PAT owner and names of the PAT actions, the application and vault of the client-secret
/// actions, the service connections, and the identity for Key Vault. Messages name the action
/// being checked. The PAT owner's sign-in is in ``PatOwnerSignInRequirements``, the conversion's
/// inputs in ``FederationRequirements``.
enum ActionRequirements {
    // MARK: - PAT actions

    /// A PAT owner: a stored session, a user's password or a user's access token.
    static let patOwner = Requirement { check in
        let identities = check.configuration.identities
        guard identities.patOwner == nil, identities.patOwnerSignIn == nil else { return }
        if identities.azure != nil {
            check.fail(
                "patOwnerUsername",
                "the PAT Lifecycle Management API accepts only a user's token; a service principal or workload identity (client credentials) is rejected by the service. Set patOwnerRefreshTokenSecret (the session pat-owner-login stored), patOwnerUsername and patOwnerPassword (a technical user), or patOwnerAccessToken."
            )
        } else {
            check.fail(
                "patOwnerUsername",
                "required for \(check.action): patOwnerRefreshTokenSecret (the session pat-owner-login stored in Key Vault), or the technical user whose PATs are managed (with patOwnerPassword, tenantId and clientId), or patOwnerAccessToken."
            )
        }
    }

    /// At least one display name.
    static let tokenDisplayNames = Requirement { check in
        guard check.configuration.pat.displayNames.isEmpty else { return }
        check.fail(
            "tokenDisplayNames",
            "required for \(check.action): one display name per line (* wildcards allowed); no name selects no token.")
    }

    /// With the PAT owner's access token, an Azure identity for Key Vault (that token is for Azure DevOps only).
    static let patKeyVaultIdentity = Requirement { check in
        let configuration = check.configuration
        guard configuration.keyVault != nil, configuration.identities.azure == nil,
            case .accessToken = configuration.identities.patOwner
        else { return }
        check.fail(
            "azureSubscription",
            "required to use Key Vault with patOwnerAccessToken (that token is for Azure DevOps only): an Azure Resource Manager service connection, or tenantId, clientId and clientSecret."
        )
    }

    // MARK: - Key Vault

    /// A vault; `reason` says what the action keeps there.
    static func keyVault(_ reason: String) -> Requirement {
        Requirement { check in
            guard check.configuration.keyVault == nil else { return }
            check.fail("keyVaultName", "required for \(check.action): \(reason)")
        }
    }

    /// An Azure identity wherever a vault is given (only the PAT actions may use the PAT owner's).
    static let keyVaultIdentity = Requirement { check in
        guard check.configuration.keyVault != nil, check.configuration.identities.azure == nil else { return }
        check.fail(
            "azureSubscription",
            "required to use Key Vault: an Azure Resource Manager service connection, or tenantId, clientId and clientSecret."
        )
    }

    // MARK: - Client secrets

    /// The application and the identity that owns it.
    static let application = Requirement { check in
        if check.configuration.clientSecret.applicationId == nil {
            check.fail(
                "applicationId", "required for \(check.action): the application (client) id or object id, a GUID.")
        }
        if check.configuration.identities.azure == nil {
            check.fail(
                "azureSubscription",
                "required for \(check.action): an Azure Resource Manager service connection (or tenantId, clientId and clientSecret outside pipelines) whose identity owns the application."
            )
        }
    }

    /// Somewhere to store the new secret: a vault, connections, or both.
    static let vaultOrConnections = Requirement { check in
        let configuration = check.configuration
        guard configuration.keyVault == nil, configuration.connections.serviceConnections.isEmpty else { return }
        check.fail(
            "keyVaultName",
            "\(check.action) needs somewhere to store the new secret: keyVaultName (or keyVaultUrl), serviceConnections, or both."
        )
    }

    /// With a vault, the name of the secret that holds the client secret (no placeholder).
    static let clientSecretName = Requirement { check in
        guard let vault = check.configuration.keyVault else { return }
        if let template = vault.secretNameTemplate {
            if template.contains("{displayName}") {
                check.fail(
                    "secretName", "placeholders are for PAT actions; give the secret name for the client secret.")
            }
        } else {
            check.fail(
                "secretName",
                "required with keyVaultName for \(check.action): the Key Vault secret that holds the client secret."
            )
        }
    }

    // MARK: - Service connections

    /// With `serviceConnections`, the project that holds them and an identity for Azure DevOps.
    static let connectionAccess = Requirement { check in
        let configuration = check.configuration
        guard !configuration.connections.serviceConnections.isEmpty else { return }
        if configuration.project == nil {
            check.fail(
                "project",
                "required with serviceConnections: the project that holds them (SYSTEM_TEAMPROJECT in a pipeline).")
        }
        if configuration.identities.azureDevOps == nil {
            check.fail("azureDevOpsIdentity", noAzureDevOpsIdentity)
        }
    }

    /// At least one connection name.
    static let serviceConnectionNames = Requirement { check in
        guard check.configuration.connections.serviceConnections.isEmpty else { return }
        check.fail("serviceConnections", "required for \(check.action): one service connection name per line.")
    }

    /// The secret to write: `servicePrincipalKey`, or a Key Vault secret and an identity to read it.
    static let secretToWrite = Requirement { check in
        let configuration = check.configuration
        guard configuration.connections.servicePrincipalKey == nil else { return }
        if configuration.keyVault?.secretNameTemplate == nil {
            check.fail(
                "servicePrincipalKey",
                "\(check.action) needs the secret to write: servicePrincipalKey (from a secret variable), or keyVaultName and secretName to read it from Key Vault."
            )
        } else if configuration.identities.azure == nil {
            check.fail(
                "azureSubscription",
                "required to read the secret from Key Vault: an Azure Resource Manager service connection, or tenantId, clientId and clientSecret."
            )
        }
    }

    /// The application whose secret is written, unless connections of any application may be written.
    static let applicationUnlessForeign = Requirement { check in
        let configuration = check.configuration
        guard configuration.clientSecret.applicationId == nil,
            !configuration.connections.allowForeignServiceConnections
        else { return }
        check.fail(
            "applicationId",
            "required for \(check.action) (the application whose secret is written), unless allowForeignServiceConnections is true."
        )
    }

    /// The message for a missing Azure DevOps identity.
    static let noAzureDevOpsIdentity =
        "no identity for Azure DevOps: map SYSTEM_ACCESSTOKEN: $(System.AccessToken) into the step, or set azureDevOpsIdentity to azureSubscription with a service connection whose principal is a member of the organization."
}
