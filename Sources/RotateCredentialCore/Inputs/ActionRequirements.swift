/// Which inputs each action needs, checked after the inputs are read and before any call.
///
/// An identity that is missing because one of its inputs was already named as wrong is not
/// reported again as "required": the messages name only the inputs that are actually wrong.
struct ActionRequirements {
    /// The inputs an Azure identity (Graph, Key Vault) is read from.
    static let azureIdentityInputs: Set<String> = [
        "azureSubscription", "tenantId", "clientId", "clientSecret", "SYSTEM_OIDCREQUESTURI",
    ]
    /// The inputs the PAT owner's identity is read from.
    static let patOwnerInputs: Set<String> =
        azureIdentityInputs
        .union(["patOwnerUsername", "patOwnerPassword", "patOwnerAccessToken", "patOwnerRefreshTokenSecret"])

    static func check(_ configuration: inout Configuration, errors: inout [InputError]) {
        var check = ActionRequirements(configuration: configuration, errors: errors, named: Set(errors.map(\.input)))
        check.patOwnerSignIn()
        check.personalAccessTokens()
        check.appSecrets()
        check.serviceConnections()
        check.federation()
        check.keyVaultIdentity()
        configuration = check.configuration
        errors = check.errors
    }

    private var configuration: Configuration
    private var errors: [InputError]
    /// The inputs already named as wrong while reading.
    private let named: Set<String>

    /// Reports `input`, unless the identity it stands for is missing because an input it is read
    /// from was already named.
    private mutating func fail(_ input: String, _ message: String) {
        let feeds =
            input == "azureSubscription"
            ? Self.azureIdentityInputs
            : input == "patOwnerUsername" ? Self.patOwnerInputs : []
        guard named.isDisjoint(with: feeds) else { return }
        errors.append(InputError(input, message))
    }

    /// pat-owner-login and `patOwnerRefreshTokenSecret` (see ``PatOwnerSignInRequirements``).
    private mutating func patOwnerSignIn() {
        var problems: [(String, String)] = []
        PatOwnerSignInRequirements.check(configuration) { problems.append(($0, $1)) }
        for (input, message) in problems { fail(input, message) }
    }

    /// The PAT owner, the names and the vault of the PAT actions.
    private mutating func personalAccessTokens() {
        let action = configuration.action
        if action.isPersonalAccessTokenAction {
            if configuration.patOwner == nil, configuration.patOwnerSignIn == nil {
                if configuration.azureIdentity != nil {
                    fail(
                        "patOwnerUsername",
                        "the PAT Lifecycle Management API accepts only a user's token; a service principal or workload identity (client credentials) is rejected by the service. Set patOwnerRefreshTokenSecret (the session pat-owner-login stored), patOwnerUsername and patOwnerPassword (a technical user), or patOwnerAccessToken."
                    )
                } else {
                    fail(
                        "patOwnerUsername",
                        "required for \(action.rawValue): patOwnerRefreshTokenSecret (the session pat-owner-login stored in Key Vault), or the technical user whose PATs are managed (with patOwnerPassword, tenantId and clientId), or patOwnerAccessToken."
                    )
                }
            }
            if action != .patList, configuration.pat.displayNames.isEmpty {
                fail(
                    "tokenDisplayNames",
                    "required for \(action.rawValue): one display name per line (* wildcards allowed); no name selects no token."
                )
            }
        }
        if action == .patRotate || action == .patCreate {
            if configuration.keyVault == nil {
                fail(
                    "keyVaultName",
                    "required for \(action.rawValue): every new token is stored in Key Vault before an old one is revoked."
                )
            }
        }
        if action == .patRevoke, configuration.keyVault == nil {
            fail(
                "keyVaultName",
                "required for pat-revoke: an older token is revoked only when Key Vault holds the newest token's value (the secret pat-create wrote)."
            )
        }
    }

    /// The application, identity, vault and secret name of the app-secret actions.
    private mutating func appSecrets() {
        let action = configuration.action
        let appActions: [Action] = [.appSecretRotate, .appSecretCreate, .appSecretRevoke]
        if appActions.contains(action) {
            if configuration.appSecret.applicationId == nil {
                fail(
                    "applicationId",
                    "required for \(action.rawValue): the application (client) id or object id, a GUID.")
            }
            if configuration.azureIdentity == nil {
                fail(
                    "azureSubscription",
                    "required for \(action.rawValue): an Azure Resource Manager service connection (or tenantId, clientId and clientSecret outside pipelines) whose identity owns the application."
                )
            }
        }
        if let id = configuration.appSecret.applicationId, !ConfigurationLoader.isGUID(id) {
            fail("applicationId", "'\(id)' is not a GUID (the application id or object id).")
        }
        if action == .appSecretCreate, configuration.keyVault == nil {
            fail(
                "keyVaultName",
                "required for app-secret-create: the new secret is stored in Key Vault until app-secret-revoke runs.")
        }
        if action == .appSecretRotate, configuration.keyVault == nil, configuration.appSecret.serviceConnections.isEmpty
        {
            fail(
                "keyVaultName",
                "app-secret-rotate needs somewhere to store the new secret: keyVaultName (or keyVaultUrl), serviceConnections, or both."
            )
        }
        if configuration.keyVault != nil, [.appSecretRotate, .appSecretCreate].contains(action) {
            if let template = configuration.keyVault?.secretNameTemplate {
                if template.contains("{displayName}") {
                    fail("secretName", "placeholders are for PAT actions; give the secret name for the client secret.")
                }
            } else {
                fail(
                    "secretName",
                    "required with keyVaultName for \(action.rawValue): the Key Vault secret that holds the client secret."
                )
            }
        }
        if configuration.keyVault != nil, action.isPersonalAccessTokenAction,
            configuration.keyVault?.secretNameTemplate == nil
        {
            configuration.keyVault?.secretNameTemplate = "pat-{displayName}"
        }
    }

    /// Project, Azure DevOps identity and secret source for service connections.
    private mutating func serviceConnections() {
        let action = configuration.action
        let connectionActions: [Action] = [.appSecretRotate, .appSecretCreate, .serviceConnectionUpdate]
        if connectionActions.contains(action), !configuration.appSecret.serviceConnections.isEmpty {
            if configuration.project == nil {
                fail(
                    "project",
                    "required with serviceConnections: the project that holds them (SYSTEM_TEAMPROJECT in a pipeline).")
            }
            if configuration.azureDevOpsIdentity == nil {
                fail(
                    "azureDevOpsIdentity",
                    "no identity for Azure DevOps: map SYSTEM_ACCESSTOKEN: $(System.AccessToken) into the step, or set azureDevOpsIdentity to azureSubscription with a service connection whose principal is a member of the organization."
                )
            }
        }
        if action == .serviceConnectionUpdate {
            if configuration.appSecret.serviceConnections.isEmpty {
                fail(
                    "serviceConnections",
                    "required for service-connection-update: one service connection name per line.")
            }
            if configuration.appSecret.servicePrincipalKey == nil {
                if configuration.keyVault?.secretNameTemplate == nil {
                    fail(
                        "servicePrincipalKey",
                        "service-connection-update needs the secret to write: servicePrincipalKey (from a secret variable), or keyVaultName and secretName to read it from Key Vault."
                    )
                } else if configuration.azureIdentity == nil {
                    fail(
                        "azureSubscription",
                        "required to read the secret from Key Vault: an Azure Resource Manager service connection, or tenantId, clientId and clientSecret."
                    )
                }
            }
            if configuration.appSecret.applicationId == nil, !configuration.appSecret.allowForeignServiceConnections {
                fail(
                    "applicationId",
                    "required for service-connection-update (the application whose secret is written), unless allowForeignServiceConnections is true."
                )
            }
        }
    }

    /// The inputs of `service-connection-convert` and `service-connection-list` (``FederationRequirements``).
    private mutating func federation() {
        let configuration = self.configuration
        FederationRequirements.check(configuration) { input, message in fail(input, message) }
    }

    /// An identity for Key Vault wherever a vault is used.
    private mutating func keyVaultIdentity() {
        let action = configuration.action
        // pat-owner-login without an identity writes the vault with the PAT owner's own sign-in.
        if configuration.keyVault != nil, configuration.azureIdentity == nil, !action.isPersonalAccessTokenAction,
            action != .patOwnerLogin
        {
            fail(
                "azureSubscription",
                "required to use Key Vault: an Azure Resource Manager service connection, or tenantId, clientId and clientSecret."
            )
        }
        if [.patRotate, .patCreate, .patRevoke].contains(action), configuration.keyVault != nil,
            configuration.azureIdentity == nil, case .accessToken = configuration.patOwner
        {
            fail(
                "azureSubscription",
                "required to use Key Vault with patOwnerAccessToken (that token is for Azure DevOps only): an Azure Resource Manager service connection, or tenantId, clientId and clientSecret."
            )
        }
    }
}
