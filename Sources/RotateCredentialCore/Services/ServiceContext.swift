/// What every service client needs: the HTTP client, the configured URLs and the token cache.
struct ServiceContext: Sendable {
    /// The HTTP client.
    let http: HTTPClient
    /// Service URLs.
    let urls: ServiceURLs
    /// Entra tokens, fetched once per identity and resource.
    let tokens: TokenCache

    /// A bearer authorization for `credential` on `audience`.
    func bearer(_ credential: EntraCredential, for audience: TokenAudience) async throws(ServiceError)
        -> RequestAuthorization
    {
        .bearer(try await tokens.token(credential, for: audience), credential: "the token of \(credential.summary)")
    }

    /// The authorization of `credential` towards Azure DevOps: the job access token as it is, or an
    /// Entra identity's token for Azure DevOps.
    func authorization(_ credential: AzureDevOpsCredential) async throws(ServiceError) -> RequestAuthorization {
        switch credential {
        case .systemAccessToken(let token):
            return .bearer(token, credential: "the job access token (SYSTEM_ACCESSTOKEN)")
        case .entra(let identity):
            return try await bearer(identity, for: .azureDevOps)
        }
    }
}
