/// Microsoft Graph v1.0 for an application's client secrets: read the application, `addPassword`,
/// `removePassword`.
struct GraphApplicationClient: Sendable {
    private let context: ServiceContext
    /// Who reads and changes applications.
    let credential: EntraCredential

    /// Creates a client authenticating as `credential` (it must own the application, or hold
    /// Application.ReadWrite.All).
    init(context: ServiceContext, credential: EntraCredential) {
        self.context = context
        self.credential = credential
    }

    private struct AddPasswordBody: Encodable {
        struct Credential: Encodable {
            var displayName: String
            var endDateTime: Date
        }
        var passwordCredential: Credential
    }

    private struct RemovePasswordBody: Encodable {
        var keyId: String
    }

    private struct AddedPassword: Decodable {
        var keyId: String
        var displayName: String?
        var hint: String?
        var startDateTime: Date?
        var endDateTime: Date?
        var secretText: String
    }

    /// Reads the application named by `id`, which may be its appId or its object id: the appId
    /// form is tried first and, on 404, the object id.
    func application(_ id: String) async throws(ServiceError) -> GraphApplication {
        do {
            return try await read(segment: "applications(appId='\(id)')", id: id)
        } catch  where error.kind == .notFound {
            return try await read(segment: "applications/\(id)", id: id)
        }
    }

    /// Reads the application by its object id (one request; for re-reads after the first).
    func application(objectId: String) async throws(ServiceError) -> GraphApplication {
        try await read(segment: "applications/\(objectId)", id: objectId)
    }

    private func read(segment: String, id: String) async throws(ServiceError) -> GraphApplication {
        var components = URLComponents(url: base.appendingPathComponent(segment), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "$select", value: "id,appId,displayName,passwordCredentials")]
        let request = HTTPRequest(
            .get, components.url!, service: .graph, operation: "read application \(id) and its client secrets")
        return try await context.http.json(GraphApplication.self, request, authorization: try await authorization())
    }

    /// Adds a client secret to the application with object id `objectId`. Not idempotent: a
    /// timeout or a 5xx may still have created it (see the action's reconciliation).
    func addPassword(objectId: String, displayName: String, endDateTime: Date) async throws(ServiceError)
        -> NewPasswordCredential
    {
        let body = try! JSON.encoder().encode(
            AddPasswordBody(passwordCredential: .init(displayName: displayName, endDateTime: endDateTime)))
        let request = HTTPRequest(
            .post, base.appendingPathSegments(["applications", objectId, "addPassword"]), service: .graph,
            operation: "add a client secret to application \(objectId)",
            headers: ["Content-Type": "application/json"], body: body)
        let added = try await context.http.json(AddedPassword.self, request, authorization: try await authorization())
        let secret = context.http.masker.adopt(added.secretText)
        return NewPasswordCredential(
            credential: PasswordCredential(
                keyId: added.keyId, displayName: added.displayName, hint: added.hint,
                startDateTime: added.startDateTime, endDateTime: added.endDateTime),
            secret: secret)
    }

    /// Removes the client secret `keyId`. Safe to send again: a secret already gone counts as
    /// removed, unless `notFoundIsGone` is false (a secret this run created may be answered "not
    /// found" while it still replicates; the caller then reads until it is really gone).
    func removePassword(objectId: String, keyId: String, notFoundIsGone: Bool = true) async throws(ServiceError) {
        let body = try! JSON.encoder().encode(RemovePasswordBody(keyId: keyId))
        let request = HTTPRequest(
            .post, base.appendingPathSegments(["applications", objectId, "removePassword"]), service: .graph,
            operation: "remove client secret \(keyId) from application \(objectId)",
            headers: ["Content-Type": "application/json"], body: body, isIdempotent: true)
        do {
            _ = try await context.http.send(request, authorization: try await authorization())
        } catch  where notFoundIsGone && Self.isAlreadyGone(error) {
            return
        }
    }

    /// Graph answers a removal of an unknown keyId with 400 `Request_BadRequest` ("No password
    /// credential found"), or 404; after a retried removal both mean the secret is gone.
    static func isAlreadyGone(_ error: ServiceError) -> Bool {
        if error.kind == .notFound { return true }
        let message = (error.serviceMessage ?? "").lowercased()
        return error.kind == .invalidRequest && message.contains("no password credential found")
    }

    /// The owners of the application with object id `objectId`, every page (`GET
    /// /applications/{id}/owners`, application-list-owners): service principals and users.
    func owners(objectId: String) async throws(ServiceError) -> [DirectoryObject] {
        let pages = GraphPages<DirectoryObject>(
            context: context, operation: "list the owners of application \(objectId)")
        return try await pages.all(
            from: base.appendingPathSegments(["applications", objectId, "owners"]),
            authorization: try await authorization())
    }

    private var base: URL { context.urls.graph.appendingPathComponent("v1.0") }

    private func authorization() async throws(ServiceError) -> RequestAuthorization {
        try await context.bearer(credential, for: .graph)
    }
}
