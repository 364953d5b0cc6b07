/// Entra's sign-in grants for a user through a public client (no client secret): the device
/// authorization grant, the authorization code grant with PKCE, and the refresh-token grant.
///
/// Sources:
/// - Device code: Microsoft identity platform, "OAuth 2.0 device authorization grant"
///   (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code): `POST /{tenant}/oauth2/v2.0/devicecode`
///   with `client_id` and `scope` answers `device_code`, `user_code`, `verification_uri`, `expires_in`
///   (default 900 s), `interval`, `message`; the client polls `/token` with
///   `grant_type=urn:ietf:params:oauth:grant-type:device_code`, `client_id`, `device_code`.
/// - Refresh: ".../v2-oauth2-auth-code-flow#refresh-the-access-token": `grant_type=refresh_token`,
///   `client_id`, `refresh_token`, `scope`; a public client sends no secret. The answer usually carries a
///   new refresh token (".../refresh-tokens": "Refresh tokens replace themselves with a fresh token upon
///   every use"); a refresh token is issued only when the scope holds `offline_access`.
/// - Authorization code + PKCE: ".../v2-oauth2-auth-code-flow" and RFC 7636: `/authorize` with
///   `response_type=code`, `redirect_uri`, `scope`, `state`, `code_challenge`, `code_challenge_method=S256`;
///   then `grant_type=authorization_code` with `code`, `redirect_uri`, `code_verifier`.
struct EntraUserTokenClient: Sendable {
    /// Azure DevOps (`499b84ac-…/.default`) plus `offline_access`, so Entra returns a refresh token.
    static let scope = "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access"
    static let deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"

    /// What `/devicecode` answers. The user code is meant to be shown; the device code is a secret.
    struct DeviceCode: Sendable {
        /// The poller's credential.
        var deviceCode: Secret
        /// The short code the user types at the verification page.
        var userCode: String
        /// The page to open.
        var verificationURI: String
        /// Seconds until both codes expire.
        var expiresIn: Int
        /// Seconds to wait between polls.
        var interval: Int
    }

    /// The tokens a successful grant returns (both registered with the masker on arrival).
    struct UserTokens: Sendable {
        /// The access token for Azure DevOps; never shown.
        var accessToken: Secret
        /// The refresh token, when Entra issued one.
        var refreshToken: Secret?
        /// Claims of the access token (who signed in).
        var claims: AccessTokenClaims
    }

    private struct DeviceCodeWire: Decodable {
        var device_code: String
        var user_code: String
        var verification_uri: String
        var expires_in: Int?
        var interval: Int?
    }

    private struct TokenWire: Decodable {
        var access_token: String
        var refresh_token: String?
    }

    private let http: HTTPClient
    private let authorityHost: URL

    /// Creates a client for the configured authority host.
    init(http: HTTPClient, urls: ServiceURLs) {
        self.http = http
        self.authorityHost = urls.authorityHost
    }

    /// Starts a device-code sign-in.
    func startDeviceCode(tenant: String, client: String) async throws(ServiceError) -> DeviceCode {
        let request = formRequest(
            tenant: tenant, endpoint: "devicecode", [("client_id", client), ("scope", Self.scope)],
            operation: "start a device-code sign-in with application \(client)")
        let wire = try await http.json(DeviceCodeWire.self, request, authorization: .none)
        return DeviceCode(
            deviceCode: http.masker.adopt(wire.device_code), userCode: wire.user_code,
            verificationURI: wire.verification_uri, expiresIn: wire.expires_in ?? 900, interval: wire.interval ?? 5)
    }

    /// Polls once; throws the protocol's errors (`authorization_pending`, `slow_down`, …) as the code.
    func pollDeviceCode(tenant: String, client: String, _ code: DeviceCode) async throws(ServiceError)
        -> UserTokens
    {
        try await tokens(
            tenant: tenant,
            [
                ("grant_type", Self.deviceCodeGrant), ("client_id", client),
                ("device_code", code.deviceCode.exposedValue),
            ],
            operation: "complete the device-code sign-in")
    }

    /// Redeems a refresh token: a new access token and (usually) a new refresh token.
    func redeem(refreshToken: Secret, tenant: String, client: String) async throws(ServiceError) -> UserTokens {
        try await tokens(
            tenant: tenant,
            [
                ("grant_type", "refresh_token"), ("client_id", client), ("scope", Self.scope),
                ("refresh_token", refreshToken.exposedValue),
            ],
            operation: "renew the PAT owner's session (refresh token of application \(client))")
    }

    /// Redeems a refresh token for another resource the client may reach for the user, such as Key
    /// Vault (`https://vault.azure.net/.default`): Entra binds a refresh token to user and client, not to
    /// a resource (".../refresh-tokens": a client "can use a refresh token to acquire access tokens across
    /// any combination of resource and tenant where it has permission to do so").
    func redeem(refreshToken: Secret, tenant: String, client: String, scope: String, operation: String)
        async throws(ServiceError) -> UserTokens
    {
        try await tokens(
            tenant: tenant,
            [
                ("grant_type", "refresh_token"), ("client_id", client), ("scope", scope),
                ("refresh_token", refreshToken.exposedValue),
            ],
            operation: operation)
    }

    /// Redeems an authorization code with its PKCE verifier.
    func redeem(code: Secret, verifier: Secret, redirectURI: String, tenant: String, client: String)
        async throws(ServiceError) -> UserTokens
    {
        try await tokens(
            tenant: tenant,
            [
                ("grant_type", "authorization_code"), ("client_id", client), ("scope", Self.scope),
                ("code", code.exposedValue), ("redirect_uri", redirectURI), ("code_verifier", verifier.exposedValue),
            ],
            operation: "redeem the authorization code of the browser sign-in")
    }

    /// The `/authorize` URL the user opens in a browser (nothing secret in it: the challenge is a hash).
    func authorizationURL(tenant: String, client: String, redirectURI: String, challenge: String, state: String)
        -> URL
    {
        var components = URLComponents(url: endpoint(tenant, "authorize"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "client_id", value: client), URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "redirect_uri", value: redirectURI), URLQueryItem(name: "scope", value: Self.scope),
            URLQueryItem(name: "state", value: state), URLQueryItem(name: "code_challenge", value: challenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
            URLQueryItem(name: "prompt", value: "select_account"),
        ]
        return components.url!
    }

    private func tokens(tenant: String, _ form: [(String, String)], operation: String) async throws(ServiceError)
        -> UserTokens
    {
        let request = formRequest(tenant: tenant, endpoint: "token", form, operation: operation)
        let wire = try await http.json(TokenWire.self, request, authorization: .none)
        let access = http.masker.adopt(wire.access_token)
        let refresh = wire.refresh_token.flatMap { $0.isEmpty ? nil : http.masker.adopt($0) }
        return UserTokens(accessToken: access, refreshToken: refresh, claims: AccessTokenClaims(access))
    }

    private func formRequest(tenant: String, endpoint name: String, _ form: [(String, String)], operation: String)
        -> HTTPRequest
    {
        let body = form.map { "\(EntraTokenClient.formEncode($0.0))=\(EntraTokenClient.formEncode($0.1))" }
            .joined(separator: "&")
        // Sending again after a timeout is safe for every grant here except a code redeemed twice,
        // which Entra refuses (invalid_grant) without side effects.
        return HTTPRequest(
            .post, endpoint(tenant, name), service: .entra, operation: operation,
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(body.utf8), isIdempotent: true,
            isRead: true)
    }

    private func endpoint(_ tenant: String, _ name: String) -> URL {
        authorityHost.appendingPathComponent(tenant).appendingPathComponent("oauth2/v2.0/\(name)")
    }
}
