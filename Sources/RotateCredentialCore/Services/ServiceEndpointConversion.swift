/// The requests behind `service-connection-convert` and `service-connection-list`: the one
/// conversion request, every connection of a project, the projects the identity can list.
extension ServiceEndpointClient {
    /// The authentication-scheme conversion, in this one place.
    ///
    /// `PUT {org}/_apis/serviceendpoint/endpoints/{id}?operation=ConvertAuthenticationScheme` with the
    /// connection's own body and `authorization.scheme` set to the target. `operation` is an
    /// "operation type" string in vsts-rest-api-specs `serviceEndpoint/7.1` (Endpoints - Update); the
    /// value and the body (the connection as read, `data.revertSchemeDeadline` dropped) are the ones
    /// of Microsoft's script in MicrosoftDocs/azure-devops-docs `docs/pipelines/library/connect-to-azure.md`
    /// ("Convert multiple Azure Resource Manager service connections with a script"), which uses
    /// api-version 7.1. `ServicePrincipal` -> `WorkloadIdentityFederation` converts; the reverse, within
    /// the revert window (seven days, same page), reverts. When Azure DevOps cannot create the federated
    /// credential itself it answers "Automatic authentication conversion failed. Your service connection
    /// was not modified. …" and states the issuer and subject to federate (rios.engineer,
    /// dev.to/kkazala): the caller creates the credential and sends the request again.
    func convertAuthenticationScheme(_ endpoint: ServiceEndpoint, to scheme: String) async throws(ServiceError)
        -> ServiceEndpoint
    {
        var body = endpoint.body
        var auth = body["authorization"] ?? .object([:])
        auth["scheme"] = .string(scheme)
        body["authorization"] = auth
        if var data = body["data"], case .object(var members) = data {
            members["revertSchemeDeadline"] = nil
            data = .object(members)
            body["data"] = data
        }
        let request = HTTPRequest(
            .put,
            url(
                ["_apis", "serviceendpoint", "endpoints", endpoint.id],
                query: [URLQueryItem(name: "operation", value: "ConvertAuthenticationScheme")]),
            service: .azureDevOps, operation: "convert service connection '\(endpoint.name)' to \(scheme)",
            headers: ["Content-Type": "application/json"], body: try! JSON.encoder().encode(body))
        do {
            let value = try await context.http.json(JSONValue.self, request, authorization: try await authorization())
            return ServiceEndpoint(value)
        } catch  where error.kind == .permission {
            throw refused(error, name: endpoint.name)
        }
    }

    /// Every connection of the project (optionally of one `type`, e.g. `azurerm`), failed ones
    /// included. Endpoints - Get Service Endpoints has no paging (vsts-rest-api-specs serviceEndpoint 7.1).
    func allEndpoints(type: String? = nil) async throws(ServiceError) -> [ServiceEndpoint] {
        struct Page: Decodable { var value: [JSONValue] }
        let query = (type.map { [URLQueryItem(name: "type", value: $0)] } ?? []) + [Self.includeFailed]
        let request = HTTPRequest(
            .get, url([project, "_apis", "serviceendpoint", "endpoints"], query: query), service: .azureDevOps,
            operation: "list the service connections of project \(project)")
        return try await context.http.json(Page.self, request, authorization: try await authorization()).value.map(
            ServiceEndpoint.init)
    }

    /// The names of every project the identity can list (Core - Projects - List), page by page: at
    /// most 100 a call, the rest behind the `x-ms-continuationtoken` response header, sent back as
    /// `continuationToken` (vsts-rest-api-specs#275; organizations with more than 100 projects are
    /// common: azure-devops-pull-request-hub#81, azure-functions-ux#3890).
    func projectNames() async throws(ServiceError) -> [String] {
        struct Project: Decodable { var name: String }
        struct Page: Decodable { var value: [Project] }
        var names: [String] = []
        var continuation: String?
        var seen: Set<String> = []
        repeat {
            var query = [URLQueryItem(name: "$top", value: "100")]
            if let continuation { query.append(URLQueryItem(name: "continuationToken", value: continuation)) }
            let request = HTTPRequest(
                .get, url(["_apis", "projects"], query: query), service: .azureDevOps,
                operation: "list the projects of the organization")
            let response = try await context.http.send(request, authorization: try await authorization())
            names += try context.http.decode(Page.self, response, for: request).value.map(\.name)
            continuation = response.header("x-ms-continuationtoken").flatMap { $0.isEmpty ? nil : $0 }
            if let continuation, !seen.insert(continuation).inserted {
                throw ServiceError(
                    service: .azureDevOps, operation: request.operation, kind: .malformedResponse,
                    serviceMessage: "the service returned the same continuation token twice")
            }
        } while continuation != nil
        return names
    }

    /// A client for another project with the same identity.
    func forProject(_ other: String) -> ServiceEndpointClient {
        ServiceEndpointClient(context: context, credential: credential, project: other)
    }
}
