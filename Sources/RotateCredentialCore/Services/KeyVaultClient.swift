/// Key Vault secrets (data plane, api-version 7.5): set with attributes and tags, read back, list versions.
struct KeyVaultClient: Sendable {
    /// A secret version as Key Vault returns it (`SecretBundle`).
    struct SecretBundle: Sendable {
        /// `https://{vault}/secrets/{name}/{version}`.
        var id: String
        /// The value.
        var value: Secret
        /// Content type.
        var contentType: String?
        /// Tags.
        var tags: [String: String]
        /// Expiry.
        var expires: Date?
        /// Creation time.
        var created: Date?
    }

    /// A version without its value (`SecretItem`).
    struct SecretVersion: Sendable, Decodable {
        /// Its id.
        var id: String
        /// Attributes.
        var attributes: Attributes?
        /// Tags.
        var tags: [String: String]?
        /// Content type.
        var contentType: String?
    }

    /// `SecretAttributes`: times are Unix seconds.
    struct Attributes: Sendable, Codable {
        /// Enabled.
        var enabled: Bool?
        /// Expiry, Unix seconds.
        var exp: Int?
        /// Not before, Unix seconds.
        var nbf: Int?
        /// Created, Unix seconds (read only).
        var created: Int?
        /// Updated, Unix seconds (read only).
        var updated: Int?
    }

    private struct SetParameters: Encodable {
        var value: String
        var contentType: String?
        var attributes: Attributes
        var tags: [String: String]
    }

    private struct Bundle: Decodable {
        var id: String
        var value: String
        var contentType: String?
        var tags: [String: String]?
        var attributes: Attributes?
    }

    private struct VersionPage: Decodable {
        var value: [SecretVersion]
        var nextLink: String?
    }

    private let context: ServiceContext
    private let vault: URL
    private let credential: EntraCredential
    static let apiVersion = "7.5"

    /// Creates a client for `vault`, authenticating as `credential`.
    init(context: ServiceContext, vault: URL, credential: EntraCredential) {
        self.context = context
        self.vault = vault
        self.credential = credential
    }

    /// The vault's URL, for messages.
    var vaultURL: URL { vault }

    /// Who reads and writes the vault, for messages.
    var identity: String { credential.summary }

    /// Stores a new version of `name`.
    func setSecret(
        _ name: String, value: Secret, contentType: String, expires: Date?, tags: [String: String]
    ) async throws(ServiceError) -> SecretBundle {
        let parameters = SetParameters(
            value: value.exposedValue, contentType: contentType,
            attributes: Attributes(enabled: true, exp: expires.map { Int($0.timeIntervalSince1970) }),
            tags: tags)
        let body = try! JSON.encoder().encode(parameters)
        let request = HTTPRequest(
            .put, url(["secrets", name]), service: .keyVault,
            operation: "store secret '\(name)' in \(vault.host ?? "the vault")",
            headers: ["Content-Type": "application/json"], body: body)
        return try await bundle(request)
    }

    /// Replaces the tags of one version (`PATCH`, idempotent; the value stays as it is).
    func updateTags(_ name: String, version: String, tags: [String: String]) async throws(ServiceError) {
        struct Update: Encodable { var tags: [String: String] }
        let request = HTTPRequest(
            .patch, url(["secrets", name, version]), service: .keyVault,
            operation: "record tags on secret '\(name)' in \(vault.host ?? "the vault")",
            headers: ["Content-Type": "application/json"], body: try! JSON.encoder().encode(Update(tags: tags)),
            isIdempotent: true)
        let authorization = try await context.bearer(credential, for: .keyVault)
        _ = try await context.http.send(request, authorization: authorization)
    }

    /// Reads a version of `name` (the latest when `version` is nil).
    func getSecret(_ name: String, version: String? = nil) async throws(ServiceError) -> SecretBundle {
        let request = HTTPRequest(
            .get, url(["secrets", name] + (version.map { [$0] } ?? [])), service: .keyVault,
            operation: "read secret '\(name)' from \(vault.host ?? "the vault")")
        return try await bundle(request)
    }

    /// Reads the latest version of `name`, or nil when there is none: only a 404 with the error code
    /// `SecretNotFound` means absent. Any other 404 (`VaultNotFound`, a wrong vault URL, a private
    /// endpoint or proxy answering for another host) is not absence and is thrown, so the run stops
    /// before it changes anything (shared notes api-contracts.md, "errors as Azure words them").
    func getSecretIfPresent(_ name: String) async throws(ServiceError) -> SecretBundle? {
        do {
            return try await getSecret(name)
        } catch  where error.kind == .notFound {
            guard Self.isAbsent(error) else { throw Self.notAbsent(error) }
            return nil
        }
    }

    /// Whether `error` says the secret does not exist (404 `SecretNotFound`).
    static func isAbsent(_ error: ServiceError) -> Bool {
        error.kind == .notFound && error.code == "SecretNotFound"
    }

    /// A 404 that is not `SecretNotFound`, with advice when the service's code has none.
    static func notAbsent(_ error: ServiceError) -> ServiceError {
        guard error.advice == nil else { return error }
        var error = error
        error.advice =
            "Key Vault answered 404 without SecretNotFound, so this is not a missing secret: the vault URL is probably wrong (check keyVaultName or keyVaultUrl, and the cloud's DNS suffix), or a private endpoint or proxy answered for another host; nothing was changed"
        return error
    }

    /// Whether two secret ids name the same version. Key Vault's names are case-insensitive
    /// ("Names are case-insensitive", about-keys-secrets-certificates), and so are the host and the
    /// version's hexadecimal id, so ids are compared without regard to case.
    static func sameSecretId(_ first: String, _ second: String) -> Bool {
        first.lowercased() == second.lowercased()
    }

    /// Lists every version of `name` (without values), following `nextLink`.
    func versions(_ name: String) async throws(ServiceError) -> [SecretVersion] {
        var result: [SecretVersion] = []
        var next: URL? = url(["secrets", name, "versions"], query: [URLQueryItem(name: "maxresults", value: "25")])
        let authorization = try await context.bearer(credential, for: .keyVault)
        var seen: Set<URL> = []
        while let page = next {
            let request = HTTPRequest(.get, page, service: .keyVault, operation: "list versions of secret '\(name)'")
            guard seen.insert(page).inserted else {
                throw ServiceError(
                    service: .keyVault, operation: request.operation, kind: .malformedResponse,
                    serviceMessage: "the vault returned the same nextLink twice")
            }
            do {
                let decoded = try await context.http.json(VersionPage.self, request, authorization: authorization)
                result += decoded.value
                next = try decoded.nextLink.flatMap { link throws(ServiceError) in try sameVault(link, request) }
            } catch  where error.kind == .notFound {
                guard Self.isAbsent(error) else { throw Self.notAbsent(error) }
                return []
            }
        }
        return result
    }

    /// A version read as plain text: a value that is no secret (the task's own record), so it is
    /// not registered with the masker.
    struct TextVersion: Sendable {
        /// `https://{vault}/secrets/{name}/{version}`.
        var id: String
        /// The value.
        var text: String
        /// Content type.
        var contentType: String?
    }

    /// Reads the latest version of `name` as plain text, or nil when Key Vault answers
    /// `SecretNotFound` (any other 404, such as a wrong vault, is an error).
    func getTextIfPresent(_ name: String) async throws(ServiceError) -> TextVersion? {
        let request = HTTPRequest(
            .get, url(["secrets", name]), service: .keyVault,
            operation: "read secret '\(name)' from \(vault.host ?? "the vault")")
        let authorization = try await context.bearer(credential, for: .keyVault)
        do {
            let decoded = try await context.http.json(Bundle.self, request, authorization: authorization)
            return TextVersion(id: decoded.id, text: decoded.value, contentType: decoded.contentType)
        } catch  where error.kind == .notFound {
            guard Self.isAbsent(error) else { throw Self.notAbsent(error) }
            return nil
        }
    }

    private func bundle(_ request: HTTPRequest) async throws(ServiceError) -> SecretBundle {
        let authorization = try await context.bearer(credential, for: .keyVault)
        let decoded = try await context.http.json(Bundle.self, request, authorization: authorization)
        return SecretBundle(
            id: decoded.id, value: context.http.masker.adopt(decoded.value), contentType: decoded.contentType,
            tags: decoded.tags ?? [:],
            expires: decoded.attributes?.exp.map { Date(timeIntervalSince1970: Double($0)) },
            created: decoded.attributes?.created.map { Date(timeIntervalSince1970: Double($0)) })
    }

    /// A `nextLink` the bearer token may follow: same scheme, host and port as the vault (Key Vault
    /// writes the default port, `:443`, into its links).
    private func sameVault(_ link: String, _ request: HTTPRequest) throws(ServiceError) -> URL {
        func origin(_ url: URL) -> String {
            let scheme = url.scheme?.lowercased() ?? ""
            return "\(scheme)://\(url.host?.lowercased() ?? ""):\(url.port ?? (scheme == "https" ? 443 : 80))"
        }
        guard let url = URL(string: link), origin(url) == origin(vault), url.user == nil, url.password == nil else {
            throw ServiceError(
                service: .keyVault, operation: request.operation, kind: .malformedResponse,
                serviceMessage:
                    "the vault's nextLink points elsewhere than \(vault.host ?? "the vault"); it was not followed")
        }
        return url
    }

    private func url(_ segments: [String], query: [URLQueryItem] = []) -> URL {
        let url = vault.appendingPathSegments(segments)
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        components.queryItems = query + [URLQueryItem(name: "api-version", value: Self.apiVersion)]
        return components.url!
    }
}
