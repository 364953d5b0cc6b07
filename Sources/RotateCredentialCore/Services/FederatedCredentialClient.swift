/// Microsoft Graph v1.0 federated identity credentials of an application: list, create, delete
/// (`/applications/{objectId}/federatedIdentityCredentials`; create answers 201, delete 204;
/// at most 20 per application, learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations).
public struct FederatedCredentialClient: Sendable {
    private let context: ServiceContext
    private let credential: EntraCredential

    /// The most credentials an application may have.
    public static let limitPerApplication = 20

    /// Creates a client authenticating as `credential` (an owner of the application, or
    /// Application.ReadWrite.All).
    public init(context: ServiceContext, credential: EntraCredential) {
        self.context = context
        self.credential = credential
    }

    private struct Page: Decodable {
        var value: [FederatedIdentityCredential]
    }

    /// The credentials of the application with object id `objectId`.
    public func list(objectId: String) async throws(ServiceError) -> [FederatedIdentityCredential] {
        let request = HTTPRequest(
            .get, url(objectId), service: .graph, operation: "list the federated credentials of application \(objectId)"
        )
        return try await context.http.json(Page.self, request, authorization: try await authorization()).value
    }

    /// Creates `new` on application `objectId`. Not idempotent: after a timeout the caller lists
    /// again (the name is unique, so a second create of the same name is refused, never doubled).
    public func create(_ new: FederatedIdentityCredential, objectId: String) async throws(ServiceError)
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
    public func delete(id: String, objectId: String) async throws(ServiceError) {
        let request = HTTPRequest(
            .delete, url(objectId).appendingPathComponent(id), service: .graph,
            operation: "delete federated credential \(id) of application \(objectId)", isIdempotent: true)
        do {
            _ = try await context.http.send(request, authorization: try await authorization())
        } catch  where error.kind == .notFound {
            return
        }
    }

    private func url(_ objectId: String) -> URL {
        context.urls.graph.appendingPathComponent("v1.0/applications/\(objectId)/federatedIdentityCredentials")
    }

    private func authorization() async throws(ServiceError) -> RequestAuthorization {
        try await context.bearer(credential, for: .graph)
    }
}
