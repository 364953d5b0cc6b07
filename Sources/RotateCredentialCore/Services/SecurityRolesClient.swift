/// Azure DevOps security roles: who holds which role on a resource, `GET
/// {organization}/_apis/securityroles/scopes/{scope}/roleassignments/resources/{resource}`
/// (preview-only, `7.1-preview.1`; azure-devops-node-api `SecurityRolesApi.getRoleAssignments`). A
/// service connection's roles are in two scopes: its project (``connectionInProject``,
/// `{projectId}_{endpointId}`) and the organization (``connectionInOrganization``,
/// `collection_{endpointId}`).
struct SecurityRolesClient: Sendable {
    let context: ServiceContext
    let credential: AzureDevOpsCredential
    static let apiVersion = "7.1-preview.1"
    /// The project-level roles of service connections.
    static let connectionInProject = "distributedtask.serviceendpointrole"
    /// The organization-level roles of service connections.
    static let connectionInOrganization = "distributedtask.collection.serviceendpointrole"

    private struct Page: Decodable {
        struct Assignment: Decodable {
            struct Identity: Decodable {
                var id: String
                var displayName: String?
            }
            struct Role: Decodable {
                var name: String
            }
            var access: String?
            var identity: Identity
            var role: Role
        }
        var value: [Assignment]
    }

    /// The roles assigned on `resource` in `scope`, inherited ones included.
    func roleAssignments(scope: String, resource: String) async throws(ServiceError) -> [RoleAssignment] {
        let segments = ["_apis", "securityroles", "scopes", scope, "roleassignments", "resources", resource]
        var components = URLComponents(
            url: context.urls.azureDevOpsOrganization.appendingPathSegments(segments), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "api-version", value: Self.apiVersion)]
        let request = HTTPRequest(
            .get, components.url!, service: .azureDevOps, operation: "read the roles on \(resource) (\(scope))")
        let page = try await context.http.json(
            Page.self, request, authorization: try await context.authorization(credential))
        return page.value.map {
            RoleAssignment(
                identityId: $0.identity.id, identityName: $0.identity.displayName ?? $0.identity.id,
                role: $0.role.name, inherited: $0.access?.lowercased() == "inherited")
        }
    }
}

/// One role an identity holds on a resource.
struct RoleAssignment: Sendable, Equatable {
    /// The identity's id.
    var identityId: String
    /// Its display name (a user, a service, a group such as `[Platform]\Endpoint Administrators`).
    var identityName: String
    /// The role's name: Reader, User, Creator, Administrator.
    var role: String
    /// Whether it comes from a higher level rather than being assigned here.
    var inherited: Bool

}
