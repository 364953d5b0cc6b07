/// Microsoft Graph v1.0 federated identity credentials of an application: list, create, delete
/// (`/applications/{objectId}/federatedIdentityCredentials`; create answers 201, delete 204;
/// at most 20 per application, learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations).
struct FederatedCredentialClient: Sendable {
    private let context: ServiceContext
    private let credential: EntraCredential

    /// The most credentials an application may have.
    static let limitPerApplication = 20

    /// Creates a client authenticating as `credential` (an owner of the application, or
    /// Application.ReadWrite.All).
    init(context: ServiceContext, credential: EntraCredential) {
        self.context = context
        self.credential = credential
    }

    private struct Page: Decodable {
        var value: [FederatedIdentityCredential]
        var nextLink: String?

        enum CodingKeys: String, CodingKey {
            case value
            case nextLink = "@odata.nextLink"
        }
    }

    /// The credentials of the application with object id `objectId`, every page: Graph may answer a
    /// collection in pages and the client follows `@odata.nextLink` as is until it is absent
    /// (learn.microsoft.com/graph/paging), never to another host.
    func list(objectId: String) async throws(ServiceError) -> [FederatedIdentityCredential] {
        let operation = "list the federated credentials of application \(objectId)"
        var result: [FederatedIdentityCredential] = []
        var next: URL? = url(objectId)
        var seen: Set<URL> = []
        while let page = next {
            guard seen.insert(page).inserted else {
                throw ServiceError(
                    service: .graph, operation: operation, kind: .malformedResponse,
                    serviceMessage: "Graph returned the same @odata.nextLink twice")
            }
            let request = HTTPRequest(.get, page, service: .graph, operation: operation)
            let decoded = try await context.http.json(Page.self, request, authorization: try await authorization())
            result += decoded.value
            next = try decoded.nextLink.map { link throws(ServiceError) in try sameHost(link, operation: operation) }
        }
        return result
    }

    /// Which key a refused create says is taken, if that is what it says: a name in use is 409
    /// `Request_MultipleObjectsWithSameKeyValue` "FederatedIdentityCredential with name … already
    /// exists." (Azure/azure-dev#1482); an issuer and subject in use is 400 "The combination of
    /// issuer and subject must be unique … already exist." (Azure/azure-workload-identity#434).
    static func duplicate(_ error: ServiceError) -> Duplicate? {
        if error.code == "Request_MultipleObjectsWithSameKeyValue" || error.status == 409 { return .name }
        let message = (error.serviceMessage ?? "").lowercased()
        if error.kind == .invalidRequest, message.contains("already exist"), message.contains("issuer") {
            return .issuerAndSubject
        }
        return nil
    }

    /// What a duplicate create collided with.
    enum Duplicate: Sendable, Equatable {
        /// Another credential of the application has that name.
        case name
        /// Another credential of the application has that issuer and subject.
        case issuerAndSubject
    }

    /// Creates `new` on application `objectId`. Not idempotent: after a timeout the caller lists
    /// again (the name is unique, so a second create of the same name is refused, never doubled:
    /// see ``duplicate(_:)``).
    func create(_ new: FederatedIdentityCredential, objectId: String) async throws(ServiceError)
        -> FederatedIdentityCredential
    {
        var body = new
        body.id = nil
        let data = try! JSON.encoder().encode(body)
        let request = HTTPRequest(
            .post, url(objectId), service: .graph, operation: "create \(new.label) on application \(objectId)",
            headers: ["Content-Type": "application/json"], body: data)
        return try await context.http.json(
            FederatedIdentityCredential.self, request, authorization: try await authorization())
    }

    /// Deletes credential `id` of application `objectId`; one already gone counts as deleted.
    func delete(id: String, objectId: String) async throws(ServiceError) {
        let request = HTTPRequest(
            .delete, url(objectId).appendingPathComponent(id), service: .graph,
            operation: "delete federated credential \(id) of application \(objectId)", isIdempotent: true)
        do {
            _ = try await context.http.send(request, authorization: try await authorization())
        } catch  where error.kind == .notFound {
            return
        }
    }

    /// A next link on the Graph host the token is for; anything else is not followed.
    private func sameHost(_ link: String, operation: String) throws(ServiceError) -> URL {
        let graph = context.urls.graph
        guard let url = URL(string: link), url.scheme?.lowercased() == graph.scheme?.lowercased(),
            url.host?.lowercased() == graph.host?.lowercased(), url.port == graph.port, url.user == nil
        else {
            throw ServiceError(
                service: .graph, operation: operation, kind: .malformedResponse,
                serviceMessage:
                    "Graph's @odata.nextLink points elsewhere than \(graph.host ?? "Graph"); it was not followed")
        }
        return url
    }

    private func url(_ objectId: String) -> URL {
        context.urls.graph.appendingPathComponent("v1.0/applications/\(objectId)/federatedIdentityCredentials")
    }

    private func authorization() async throws(ServiceError) -> RequestAuthorization {
        try await context.bearer(credential, for: .graph)
    }
}
