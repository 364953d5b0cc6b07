/// Everything one run needs, read once from the environment and validated before any call.
public struct Configuration: Sendable {
    /// The action to perform.
    public var action: Action
    /// Read everything, change nothing.
    public var dryRun: Bool
    /// `SYSTEM_DEBUG`: write `##[debug]` lines (never secrets).
    public var debug: Bool
    /// Azure DevOps organization name.
    public var organization: String
    /// Project holding the service connections.
    public var project: String?
    /// Where each service lives.
    public var urls: ServiceURLs
    /// Identity for Microsoft Graph and Key Vault.
    public var azureIdentity: EntraCredential?
    /// Identity of the PAT owner for the PAT Lifecycle Management API (a user).
    public var patOwner: EntraCredential?
    /// The PAT owner's sign-in kept in Key Vault (`patOwnerRefreshTokenSecret`), instead of `patOwner`.
    public var patOwnerSignIn: PatOwnerSignIn? = nil
    /// Identity for Azure DevOps service-connection calls.
    public var azureDevOpsIdentity: AzureDevOpsCredential?
    /// Where new values are stored.
    public var keyVault: KeyVaultTarget?
    /// PAT selection and lifetimes.
    public var pat: PersonalAccessTokenOptions
    /// App-secret and service-connection options.
    public var appSecret: AppSecretOptions
    /// Path of the JSON report.
    public var reportPath: String
    /// Directory for temporary files (summaries).
    public var temporaryDirectory: String
    /// Path of this step's run summary (unique per step, see ``StepFiles``).
    public var summaryPath: String
    /// Credentials processed at the same time.
    public var maxParallel: Int
    /// HTTP settings.
    public var http: HTTPSettings
    /// Whether the task runs under a pipeline agent (``AgentPresence``); outside one no secret
    /// value is printed, not even in a `setsecret` command.
    public var underAgent: Bool
    /// Options of `service-connection-convert`.
    public var federation = FederationOptions()
    /// Which run this is (for the lease in the task's record).
    public var run = RunIdentity()
}

/// Options of `service-connection-convert`.
public struct FederationOptions: Sendable {
    /// Remove the client secret the converted connections used, after `graceHours`, when no holder is left.
    public var removeSecretAfterConversion = false
    /// The job's OIDC endpoint and token, to prove a converted connection works (nil outside a job).
    public var pipelineOIDC: PipelineOIDC?
}

/// Base URLs of the services, with the organization already appended where the service needs it.
public struct ServiceURLs: Sendable, Equatable {
    /// Entra authority host, e.g. `https://login.microsoftonline.com`.
    public var authorityHost: URL
    /// Microsoft Graph root, e.g. `https://graph.microsoft.com`.
    public var graph: URL
    /// `https://dev.azure.com/{organization}`.
    public var azureDevOpsOrganization: URL
    /// `https://vssps.dev.azure.com/{organization}`.
    public var vsspsOrganization: URL
    /// Scope for Key Vault tokens, e.g. `https://vault.azure.net/.default`.
    public var keyVaultScope: String
}

/// An Entra identity and how it proves itself.
public enum EntraCredential: Sendable {
    /// Client credentials with a secret.
    case clientSecret(tenantId: String, clientId: String, secret: Secret)
    /// Client credentials with the pipeline's OIDC token as assertion (workload identity federation).
    case workloadIdentity(tenantId: String, clientId: String, oidc: OIDCTokenRequest)
    /// Resource-owner password flow for a technical user.
    case password(tenantId: String, clientId: String, clientSecret: Secret?, username: String, password: Secret)
    /// A token obtained elsewhere, for one resource only.
    case accessToken(Secret)
    /// The PAT owner's access token for Azure DevOps from the session renewed this run
    /// (`patOwnerRefreshTokenSecret`); `owner` names user and secret for messages.
    case session(accessToken: Secret, owner: String)

    /// A short description for log lines, without any secret.
    public var summary: String {
        switch self {
        case .clientSecret(let tenant, let client, _): return "application \(client) (client secret, tenant \(tenant))"
        case .workloadIdentity(let tenant, let client, _):
            return "application \(client) (workload identity federation, tenant \(tenant))"
        case .password(_, _, _, let username, _): return "user \(username) (password flow)"
        case .accessToken: return "the access token given in patOwnerAccessToken"
        case .session(_, let owner): return owner
        }
    }
}

/// How to ask Azure DevOps for the pipeline's OIDC token for a service connection.
public struct OIDCTokenRequest: Sendable {
    /// `SYSTEM_OIDCREQUESTURI`.
    public var requestURL: URL
    /// The service connection's id.
    public var serviceConnectionId: String
    /// The job access token.
    public var jobAccessToken: Secret
}

/// Identity for Azure DevOps REST calls other than the PAT API.
public enum AzureDevOpsCredential: Sendable {
    /// The job's access token (`SYSTEM_ACCESSTOKEN`).
    case systemAccessToken(Secret)
    /// An Entra identity that is a member of the organization.
    case entra(EntraCredential)
}

/// The vault that receives new values.
public struct KeyVaultTarget: Sendable {
    /// The vault's URL, e.g. `https://kv-rotation.vault.azure.net`.
    public var url: URL
    /// Secret name or template with `{displayName}`.
    public var secretNameTemplate: String?
}

/// PAT selection and lifetimes.
public struct PersonalAccessTokenOptions: Sendable {
    /// Display-name patterns; none selects nothing.
    public var displayNames: [NamePattern]
    /// Act only on tokens expiring within this many days (0 = always).
    public var renewWithinDays: Int
    /// Lifetime of renewed or new tokens.
    public var validityDays: Int
    /// Scope override for new tokens.
    public var scope: String?
    /// Hours a replacement must exist before `pat-revoke` revokes older tokens.
    public var graceHours: Int
}

/// Options of the app-secret and service-connection actions.
public struct AppSecretOptions: Sendable {
    /// appId or object id.
    public var applicationId: String?
    /// Display name of the new secret.
    public var secretDisplayName: String?
    /// Lifetime of the new secret.
    public var validityDays: Int
    /// Rotate only when the newest secret expires within this many days (0 = always).
    public var renewWithinDays: Int
    /// Hours an old secret is kept after its replacement appeared.
    public var graceHours: Int
    /// How long to wait for a new secret to work.
    public var replicationTimeoutSeconds: Int
    /// Secrets always kept, newest first.
    public var keepSecrets: Int
    /// Service connection names.
    public var serviceConnections: [String]
    /// Convert Automatic connections to Manual.
    public var convertAutomaticConnections: Bool
    /// Update connections of another service principal.
    public var allowForeignServiceConnections: Bool
    /// Secret to write (service-connection-update).
    public var servicePrincipalKey: Secret?
}
