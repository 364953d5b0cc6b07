/// Who the task is towards each service: one option group (`azureSubscription`, `tenantId`,
/// `clientId`, `clientSecret`, the PAT owner's inputs, `azureDevOpsIdentity`), read once.
struct Identities: Sendable {
    /// Identity for Microsoft Graph and Key Vault.
    var azure: EntraCredential?
    /// Identity of the PAT owner for the PAT Lifecycle Management API (a user).
    var patOwner: EntraCredential?
    /// The PAT owner's sign-in kept in Key Vault (`patOwnerRefreshTokenSecret`), instead of `patOwner`.
    var patOwnerSignIn: PatOwnerSignIn?
    /// Identity for Azure DevOps service-connection calls.
    var azureDevOps: AzureDevOpsCredential?
}

/// An Entra identity and how it proves itself.
enum EntraCredential: Sendable {
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
    var summary: String {
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
struct OIDCTokenRequest: Sendable {
    /// `SYSTEM_OIDCREQUESTURI`.
    var requestURL: URL
    /// The service connection's id.
    var serviceConnectionId: String
    /// The job access token.
    var jobAccessToken: Secret
}

/// Identity for Azure DevOps REST calls other than the PAT API.
enum AzureDevOpsCredential: Sendable {
    /// The job's access token (`SYSTEM_ACCESSTOKEN`).
    case systemAccessToken(Secret)
    /// An Entra identity that is a member of the organization.
    case entra(EntraCredential)
}
