/// Azure DevOps service endpoints (api-version 7.1): find connections by name in a project, PUT
/// a whole connection back to the organization-level route, read one back by id.
struct ServiceEndpointClient: Sendable {
    let context: ServiceContext
    let credential: AzureDevOpsCredential
    let project: String
    static let apiVersion = "7.1"

    private struct Page: Decodable {
        var value: [JSONValue]
    }

    /// The connections of the project named `names` (names not found are simply absent), failed
    /// ones included (see ``includeFailed``).
    func endpoints(named names: [String]) async throws(ServiceError) -> [ServiceEndpoint] {
        let url = self.url(
            [project, "_apis", "serviceendpoint", "endpoints"],
            query: [URLQueryItem(name: "endpointNames", value: names.joined(separator: ",")), Self.includeFailed])
        let request = HTTPRequest(
            .get, url, service: .azureDevOps,
            operation: "find service connections \(names.joined(separator: ", ")) in project \(project)")
        let page = try await context.http.json(Page.self, request, authorization: try await authorization())
        return try page.value.enumerated().map { index, value throws(ServiceError) in
            try Self.checked(value, request, field: "value.\(index).")
        }
    }

    /// Reads the connection `id`; nil when Azure DevOps answers `null` (unknown id).
    func endpoint(id: String) async throws(ServiceError) -> ServiceEndpoint? {
        let request = HTTPRequest(
            .get, url([project, "_apis", "serviceendpoint", "endpoints", id]), service: .azureDevOps,
            operation: "read service connection \(id)")
        let value = try await context.http.json(JSONValue.self, request, authorization: try await authorization())
        if value == .null { return nil }
        return try Self.checked(value, request)
    }

    /// Whether the caller may manage connection `id` (the Administrator role, through a group too):
    /// Azure DevOps answers the connection for `actionFilter=manage` only then, `null` otherwise
    /// (`ServiceEndpointActionFilter`, serviceEndpoint 7.1). A read: nothing changes.
    func mayManage(id: String) async throws(ServiceError) -> Bool {
        let request = HTTPRequest(
            .get,
            url(
                [project, "_apis", "serviceendpoint", "endpoints", id],
                query: [URLQueryItem(name: "actionFilter", value: "manage")]),
            service: .azureDevOps, operation: "ask whether the caller may manage service connection \(id)")
        let value = try await context.http.json(JSONValue.self, request, authorization: try await authorization())
        return value != .null
    }

    /// PUTs `endpoint` whole (organization-level route, as the API specifies) and returns the answer.
    func update(_ endpoint: ServiceEndpoint) async throws(ServiceError) -> ServiceEndpoint {
        let body = try! JSON.encoder().encode(endpoint.body)
        let request = HTTPRequest(
            .put, url(["_apis", "serviceendpoint", "endpoints", endpoint.id]), service: .azureDevOps,
            operation: "update service connection '\(endpoint.name)'",
            headers: ["Content-Type": "application/json"], body: body)
        do {
            let value = try await context.http.json(JSONValue.self, request, authorization: try await authorization())
            return try Self.checked(value, request)
        } catch  where error.kind == .permission {
            throw refused(error, name: endpoint.name)
        }
    }

    /// A connection from an answer that has what the task relies on: an `id` (a GUID), a `name` and
    /// an `authorization` object; otherwise an error naming the missing field.
    static func checked(_ value: JSONValue, _ request: HTTPRequest, field prefix: String = "") throws(ServiceError)
        -> ServiceEndpoint
    {
        let missing: String?
        if value["id"]?.stringValue.flatMap(UUID.init(uuidString:)) == nil {
            missing = "id"
        } else if value["name"]?.stringValue == nil {
            missing = "name"
        } else if case .object = value["authorization"] ?? .null {
            missing = nil
        } else {
            missing = "authorization"
        }
        guard let missing else { return ServiceEndpoint(value) }
        throw ServiceError(
            service: request.service, operation: request.operation, kind: .malformedResponse, status: 200,
            serviceMessage:
                "the response could not be read (required field '\(prefix)\(missing)' is missing or invalid)")
    }

    /// `includeFailed=true`: without it Azure DevOps leaves out connections whose last operation
    /// failed, such as a conversion that ended `Failed, converting_scheme_failed` while the connection
    /// still signs in with its secret (shared notes api-contracts.md, "Paging, conversion in the
    /// background"), so a search for holders of a secret, or an inventory, would miss them.
    static let includeFailed = URLQueryItem(name: "includeFailed", value: "true")

    /// `error` with the advice that fixes a refused update of connection `name`.
    func refused(_ error: ServiceError, name: String) -> ServiceError {
        var error = error
        error.advice = permissionAdvice(name, organizationLevel: Self.needsOrganizationLevel(error))
        return error
    }

    /// Whether Azure DevOps asks for an organization (collection) level Administrator of the
    /// connection: "You need to be an organization/collection level Administrator of the service
    /// endpoint to perform this operation." (server resource string; reported on the cloud service in
    /// a 2021 bzzzt.io post, with British spelling).
    static func needsOrganizationLevel(_ error: ServiceError) -> Bool {
        let message = (error.serviceMessage ?? "").lowercased()
        return message.contains("collection level administrator")
    }

    /// What to grant when Azure DevOps refuses the update.
    func permissionAdvice(_ name: String, organizationLevel: Bool = false) -> String {
        let organization = context.urls.azureDevOpsOrganization.lastPathComponent
        let who: String
        switch credential {
        case .systemAccessToken:
            who =
                "the build service identity '\(project) Build Service (\(organization))' (or 'Project Collection Build Service (\(organization))' when the pipeline's job authorization scope is the collection)"
        case .entra(let identity):
            who = identity.summary
        }
        if organizationLevel {
            // MicrosoftDocs/azure-devops-docs docs/pipelines/policies/service-connection-permissions.md:
            // "select Project to manage project-level users and groups, or Organization to manage
            // organization- or collection-level users and groups".
            return
                "Changing this connection's credentials needs the Administrator role at organization (collection) level, not only in the project: in Project settings > Service connections > \(name) > Security > User permissions, select Organization and give \(who) the Administrator role (an organization administrator can)"
        }
        return
            "Updating a connection's credentials needs the Administrator role on it: in Project settings > Service connections > \(name) > Security, give \(who) the Administrator role"
    }

    func authorization() async throws(ServiceError) -> RequestAuthorization {
        try await context.authorization(credential)
    }

    func url(_ segments: [String], query: [URLQueryItem] = []) -> URL {
        let url = context.urls.azureDevOpsOrganization.appendingPathSegments(segments)
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        components.queryItems = query + [URLQueryItem(name: "api-version", value: Self.apiVersion)]
        return components.url!
    }
}
