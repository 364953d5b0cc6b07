/// The PAT Lifecycle Management API (`{vssps}/{organization}/_apis/tokens/pats`, api-version
/// `7.1-preview.1`), called with the PAT owner's Entra user token.
///
/// The API reports refusals inside HTTP 200 answers (`patTokenError`); every value other than
/// `none` becomes a ``ServiceError`` of kind `invalidRequest` carrying the value as its code.
struct PersonalAccessTokenClient: Sendable {
    static let apiVersion = "7.1-preview.1"
    /// The API's largest page (`$top`).
    static let pageSize = 100

    private let context: ServiceContext
    /// The PAT owner it acts as.
    let credential: EntraCredential

    /// Creates a client acting as `credential` (a user: password flow or a handed-in token).
    init(context: ServiceContext, credential: EntraCredential) {
        self.context = context
        self.credential = credential
    }

    /// Every active token of the user, following `continuationToken` (empty or missing ends the
    /// list) with the same filter and order on every page.
    func list() async throws(ServiceError) -> [PersonalAccessToken] {
        var tokens: [PersonalAccessToken] = []
        var continuation: String?
        var seen = Set<String>()
        repeat {
            var query = [
                URLQueryItem(name: "displayFilterOption", value: "active"),
                URLQueryItem(name: "sortByOption", value: "displayName"),
                URLQueryItem(name: "isSortAscending", value: "true"),
                URLQueryItem(name: "$top", value: String(Self.pageSize)),
            ]
            if let continuation { query.append(URLQueryItem(name: "continuationToken", value: continuation)) }
            let request = HTTPRequest(.get, url(query), service: .azureDevOps, operation: "list the PATs")
            let page = try await context.http.json(
                PersonalAccessTokenWire.Page.self, request, authorization: try await authorization())
            tokens += page.patTokens.map(\.model)
            let next = page.continuationToken.flatMap { $0.isEmpty ? nil : $0 }
            if let next, !seen.insert(next).inserted {
                throw ServiceError(
                    service: .azureDevOps, operation: "list the PATs", kind: .malformedResponse, status: 200,
                    serviceMessage: "the service returned the same continuation token twice")
            }
            continuation = next
        } while continuation != nil
        return tokens
    }

    /// One token by id.
    func get(authorizationId: String) async throws(ServiceError) -> PersonalAccessToken {
        let request = HTTPRequest(
            .get, url([URLQueryItem(name: "authorizationId", value: authorizationId)]), service: .azureDevOps,
            operation: "read PAT \(authorizationId)")
        return try await result(request).model
    }

    /// Creates an organization-scoped token (`allOrgs: false`, always) and returns it with its value.
    ///
    /// A create is not idempotent: the request is not retried after an uncertain failure; the
    /// caller reconciles (see ``PersonalAccessTokenCreation``).
    func create(displayName: String, scope: String, validTo: Date) async throws(ServiceError)
        -> CreatedPersonalAccessToken
    {
        let body = PersonalAccessTokenWire.TokenRequest(
            displayName: displayName, scope: scope, validTo: validTo, allOrgs: false)
        let request = HTTPRequest(
            .post, url([]), service: .azureDevOps, operation: "create a PAT named '\(displayName)'",
            headers: ["Content-Type": "application/json"], body: try! JSON.encoder().encode(body))
        let wire = try await result(request)
        guard let value = wire.token, !value.isEmpty else {
            // Without the value the new token is useless; it must not stay live.
            let received = wire.model
            try? await revoke(authorizationId: received.authorizationId)
            throw ServiceError(
                service: .azureDevOps, operation: request.operation, kind: .malformedResponse, status: 200,
                serviceMessage:
                    "the answer carried no token value; the token created (authorization id \(received.authorizationId)) was revoked"
            )
        }
        let secret = context.http.masker.adopt(value)
        return CreatedPersonalAccessToken(token: wire.model, value: secret)
    }

    /// Sets a new expiry; the value does not change. Returns the token as the service stored it
    /// (the service clamps `validTo` to the tenant's maximum lifetime).
    func renew(_ token: PersonalAccessToken, validTo: Date) async throws(ServiceError) -> PersonalAccessToken {
        let body = PersonalAccessTokenWire.TokenRequest(
            authorizationId: token.authorizationId, displayName: token.displayName, scope: token.scope,
            validTo: validTo, allOrgs: token.isGlobal)
        let request = HTTPRequest(
            .put, url([]), service: .azureDevOps,
            operation: "renew PAT '\(token.displayName)' (\(token.authorizationId))",
            headers: ["Content-Type": "application/json"], body: try! JSON.encoder().encode(body))
        return try await result(request).model
    }

    /// Revokes a token. The service answers 204 (or 200, with an error in the body when it refused).
    func revoke(authorizationId: String) async throws(ServiceError) {
        let request = HTTPRequest(
            .delete, url([URLQueryItem(name: "authorizationId", value: authorizationId)]), service: .azureDevOps,
            operation: "revoke PAT \(authorizationId)")
        let response = try await context.http.send(request, authorization: try await authorization())
        guard !response.body.isEmpty else { return }
        if let decoded = try? JSON.decoder().decode(PersonalAccessTokenWire.Result.self, from: response.body) {
            try Self.check(decoded, operation: request.operation, requestIds: response.requestIds)
        }
    }

    // MARK: - Helpers

    private func result(_ request: HTTPRequest) async throws(ServiceError) -> PersonalAccessTokenWire.Token {
        let response = try await context.http.send(request, authorization: try await authorization())
        let decoded = try context.http.decode(PersonalAccessTokenWire.Result.self, response, for: request)
        try Self.check(decoded, operation: request.operation, requestIds: response.requestIds)
        guard let token = decoded.patToken else {
            throw ServiceError(
                service: .azureDevOps, operation: request.operation, kind: .malformedResponse, status: response.status,
                serviceMessage: "the answer carried neither a token nor an error", requestIds: response.requestIds)
        }
        return token
    }

    /// Throws for every `patTokenError` other than `none` (the API's refusals come with HTTP 200).
    static func check(_ result: PersonalAccessTokenWire.Result, operation: String, requestIds: [String] = [])
        throws(ServiceError)
    {
        guard let error = result.patTokenError, !error.isEmpty, error.lowercased() != "none" else { return }
        throw ServiceError(
            service: .azureDevOps, operation: operation, kind: .invalidRequest, status: 200, code: error,
            serviceMessage: result.patTokenErrorMessage.flatMap { $0.isEmpty || $0 == error ? nil : $0 }
                ?? "patTokenError \(error)",
            requestIds: requestIds)
    }

    private func authorization() async throws(ServiceError) -> RequestAuthorization {
        try await context.bearer(credential, for: .azureDevOps)
    }

    private func url(_ query: [URLQueryItem]) -> URL {
        let base = context.urls.vsspsOrganization.appendingPathComponent("_apis").appendingPathComponent("tokens")
            .appendingPathComponent("pats")
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        components.queryItems = query + [URLQueryItem(name: "api-version", value: Self.apiVersion)]
        // `+` in a continuation token must survive as a literal plus.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url!
    }
}
