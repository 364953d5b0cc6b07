/// The JSON report of the app-secret and service-connection actions (no secret values).
struct AppSecretReport: Encodable {
    struct Password: Encodable {
        var keyId: String
        var displayName: String?
        var startDateTime: Date?
        var endDateTime: Date?

        init(_ credential: PasswordCredential) {
            keyId = credential.keyId
            displayName = credential.displayName
            startDateTime = credential.startDateTime
            endDateTime = credential.endDateTime
        }
    }

    struct Connection: Encodable {
        var name: String
        var id: String?
        var outcome: String
    }

    var action: String
    var dryRun: Bool
    var changed: Bool
    var applicationId: String?
    var objectId: String?
    var displayName: String?
    var newSecret: Password?
    var keyVaultSecretId: String?
    var removedSecrets: [Password] = []
    var keptSecrets: [Password] = []
    var serviceConnections: [Connection] = []
    var completedSteps: [String] = []
    /// Per consumer: what it holds and what this run did about it.
    var consumers: [String] = []
    /// Secrets people made, which this task never removes.
    var notManaged: [Password] = []
    /// Old secrets kept because a holder may still use them, with the reason.
    var keptForHolders: [String] = []
    /// Secret-based connections of the application this task does not write.
    var otherConnections: [String] = []
    var failure: String?

    static func connections(_ changes: [ServiceConnectionChange]) -> [Connection] {
        changes.map { change in
            switch change {
            case .update(let endpoint, let converts):
                return Connection(
                    name: endpoint.name, id: endpoint.id, outcome: converts ? "updated, converted to Manual" : "updated"
                )
            case .skipWorkloadIdentity(let endpoint):
                return Connection(
                    name: endpoint.name, id: endpoint.id, outcome: "skipped: workload identity federation")
            case .refuse(let name, let reason):
                return Connection(name: name, id: nil, outcome: "refused: \(reason)")
            }
        }
    }
}
