/// Who a credential stands for in Azure DevOps: `GET {organization}/_apis/connectionData` (the
/// location area's connection data, preview-only, `7.1-preview.1`; Microsoft's azure-devops client
/// `LocationClient.get_connection_data`). The job access token stands for the build service,
/// `{project} Build Service ({organization})` or `Project Collection Build Service ({organization})`.
struct ConnectionDataClient: Sendable {
    let context: ServiceContext
    let credential: AzureDevOpsCredential
    static let apiVersion = "7.1-preview.1"

    private struct ConnectionData: Decodable {
        struct Identity: Decodable {
            var id: String
            var providerDisplayName: String?
            var customDisplayName: String?
        }
        var authenticatedUser: Identity
    }

    /// The identity the credential stands for.
    func authenticatedUser() async throws(ServiceError) -> AzureDevOpsIdentity {
        var components = URLComponents(
            url: context.urls.azureDevOpsOrganization.appendingPathSegments(["_apis", "connectionData"]),
            resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "api-version", value: Self.apiVersion)]
        let request = HTTPRequest(
            .get, components.url!, service: .azureDevOps, operation: "ask Azure DevOps who the caller is")
        let data = try await context.http.json(
            ConnectionData.self, request, authorization: try await context.authorization(credential))
        let user = data.authenticatedUser
        return AzureDevOpsIdentity(
            id: user.id, displayName: user.customDisplayName ?? user.providerDisplayName ?? user.id)
    }
}

/// An Azure DevOps identity: the id role assignments name it by, and its display name.
struct AzureDevOpsIdentity: Sendable, Equatable {
    /// The identity's id (a GUID).
    var id: String
    /// Its name, e.g. `Platform Build Service (contoso)`.
    var displayName: String

}
