/// The Entra v2 token endpoint: client secret, client assertion and password grants.
struct EntraTokenClient: Sendable {
    private let http: HTTPClient
    private let urls: ServiceURLs

    /// Creates a client for the configured authority host.
    init(http: HTTPClient, urls: ServiceURLs) {
        self.http = http
        self.urls = urls
    }

    private struct TokenResponse: Decodable {
        var access_token: String
    }

    private struct OIDCResponse: Decodable {
        var oidcToken: String
    }

    /// Acquires a token for `audience` with `credential`.
    func token(_ credential: EntraCredential, for audience: TokenAudience) async throws(ServiceError) -> Secret {
        let scope = audience.scope(urls)
        switch credential {
        case .accessToken(let token), .session(let token, _):
            return token
        case .clientSecret(let tenant, let client, let secret):
            return try await request(
                tenant: tenant,
                form: [("client_id", client), ("scope", scope), ("grant_type", "client_credentials")],
                secrets: [("client_secret", secret)],
                operation: "get a token for \(audience.rawValue) as application \(client)")
        case .workloadIdentity(let tenant, let client, let oidc):
            let assertion = try await oidcToken(oidc)
            return try await request(
                tenant: tenant,
                form: [
                    ("client_id", client), ("scope", scope), ("grant_type", "client_credentials"),
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ],
                secrets: [("client_assertion", assertion)],
                operation:
                    "get a token for \(audience.rawValue) as application \(client) (workload identity federation)")
        case .password(let tenant, let client, let clientSecret, let username, let password):
            var secrets = [("password", password)]
            if let clientSecret { secrets.append(("client_secret", clientSecret)) }
            return try await request(
                tenant: tenant,
                form: [("client_id", client), ("scope", scope), ("grant_type", "password"), ("username", username)],
                secrets: secrets,
                operation: "sign in as \(username) for \(audience.rawValue) (password flow)")
        }
    }

    /// Exchanges `assertion` (a pipeline OIDC token) for a token for `scope` as application `clientId`:
    /// the client-credentials grant with a JWT-bearer client assertion, as a task using a federated
    /// connection does (azure-pipelines-tasks `azure-arm-rest` `getFederatedToken` + MSAL).
    func assertionToken(tenantId: String, clientId: String, assertion: Secret, scope: String)
        async throws(ServiceError) -> Secret
    {
        try await request(
            tenant: tenantId,
            form: [
                ("client_id", clientId), ("scope", scope), ("grant_type", "client_credentials"),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ],
            secrets: [("client_assertion", assertion)],
            operation: "get a token for \(scope) as application \(clientId) with the connection's OIDC token")
    }

    /// Asks Azure DevOps for the job's OIDC token for a service connection.
    func oidcToken(_ oidc: OIDCTokenRequest) async throws(ServiceError) -> Secret {
        var components = URLComponents(url: oidc.requestURL, resolvingAgainstBaseURL: false)!
        components.queryItems =
            (components.queryItems ?? []) + [
                URLQueryItem(name: "api-version", value: "7.1"),
                URLQueryItem(name: "serviceConnectionId", value: oidc.serviceConnectionId),
            ]
        let request = HTTPRequest(
            .post, components.url!, service: .azureDevOps,
            operation: "get the pipeline's OIDC token for service connection \(oidc.serviceConnectionId)",
            headers: ["Content-Type": "application/json"], body: Data("{}".utf8), isIdempotent: true,
            isRead: true)
        let response = try await http.json(
            OIDCResponse.self, request, authorization: .bearer(oidc.jobAccessToken, credential: "the job access token"))
        return http.masker.adopt(response.oidcToken)
    }

    private func request(
        tenant: String, form: [(String, String)], secrets: [(String, Secret)], operation: String
    ) async throws(ServiceError) -> Secret {
        let url = urls.authorityHost.appendingPathComponent(tenant).appendingPathComponent("oauth2/v2.0/token")
        let body = (form + secrets.map { ($0.0, $0.1.exposedValue) })
            .map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        // Token requests change nothing: safe to send again after a timeout, and to abandon on a stop request.
        let request = HTTPRequest(
            .post, url, service: .entra, operation: operation,
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(body.utf8), isIdempotent: true,
            isRead: true)
        let response = try await http.json(TokenResponse.self, request, authorization: .none)
        return http.masker.adopt(response.access_token)
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
            .replacingOccurrences(of: "%20", with: "+")
    }
}
