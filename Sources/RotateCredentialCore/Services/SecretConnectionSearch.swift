/// The service connections of one application that sign in with a client secret, in every
/// project of the organization (every page of projects, failed connections included), and the
/// places that could not be read (each of which may hold such a connection).
struct SecretConnectionSearch: Sendable {
    /// A connection found, with the project it was listed in.
    struct Found: Sendable {
        var project: String
        var endpoint: ServiceEndpoint
    }

    var found: [Found] = []
    /// "the projects of the organization could not be listed: permission", "the connections of
    /// project X could not be listed: …".
    var unreadable: [String] = []
}

extension ServiceEndpointClient {
    /// Searches every project the identity can list, `maxParallel` at a time.
    func secretConnections(of appId: String, maxParallel: Int) async -> SecretConnectionSearch {
        let projects: [String]
        do {
            projects = try await projectNames()
        } catch {
            return SecretConnectionSearch(
                unreadable: ["the projects of the organization could not be listed: \(error.kind)"])
        }
        let perProject = await Parallel.map(projects, maxParallel: maxParallel) { project in
            await forProject(project).secretConnections(in: project, of: appId)
        }
        return perProject.reduce(into: SecretConnectionSearch()) { all, one in
            all.found += one.found
            all.unreadable += one.unreadable
        }
    }

    private func secretConnections(in project: String, of appId: String) async -> SecretConnectionSearch {
        do {
            let endpoints = try await allEndpoints(type: "azurerm").filter {
                $0.usesClientSecret && $0.servicePrincipalId?.lowercased() == appId.lowercased()
            }
            return SecretConnectionSearch(found: endpoints.map { .init(project: project, endpoint: $0) })
        } catch {
            return SecretConnectionSearch(
                unreadable: ["the connections of project \(project) could not be listed: \(error.kind)"])
        }
    }
}
