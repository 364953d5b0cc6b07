/// Who each Azure DevOps credential of the planned changes stands for (`connectionData`), asked once
/// per credential: the job access token stands for the build service.
struct AzureDevOpsIdentities: Sendable {
    private var identities: [String: AzureDevOpsIdentity] = [:]

    /// The identity of `credential`; nil when Azure DevOps could not be asked.
    subscript(_ credential: AzureDevOpsCredential) -> AzureDevOpsIdentity? {
        identities[Self.key(credential)]
    }

    /// Asks who the credentials of the connection writes among `needs` stand for.
    static func lookUp(_ needs: [AccessNeed], context: ServiceContext) async -> AzureDevOpsIdentities {
        var found = AzureDevOpsIdentities()
        for case .administerConnection(_, let client) in needs where found.identities[key(client.credential)] == nil {
            let who = try? await ConnectionDataClient(context: context, credential: client.credential)
                .authenticatedUser()
            found.identities[key(client.credential)] = who
        }
        return found
    }

    private static func key(_ credential: AzureDevOpsCredential) -> String {
        switch credential {
        case .systemAccessToken: return "job"
        case .entra(let identity): return identity.summary
        }
    }
}
