/// The consumers of one application's secret and the clients to reach them: the Key Vault secret
/// (optional), the listed service connections (decided before anything changes) and Graph.
struct AppSecretConsumers: Sendable {
    let context: ActionContext
    let graph: GraphApplicationClient
    let store: SecretStore?
    let keyVault: KeyVaultClient?
    let secretName: String?
    let updater: ServiceConnectionUpdater?
    /// What to do with each listed connection (refusals were thrown at discovery).
    let changes: [ServiceConnectionChange]

    /// Connections that take a key, by name.
    var updatable: [String] {
        changes.compactMap { if case .update(let endpoint, _) = $0 { return endpoint.name } else { return nil } }
    }

    /// The change for `name`.
    func change(named name: String) -> ServiceConnectionChange? {
        changes.first {
            if case .update(let endpoint, _) = $0 {
                return endpoint.name.lowercased() == name.lowercased()
            } else {
                return false
            }
        }
    }

    /// Reads the application (by object id) and Key Vault's current version.
    /// With `settling`, a read that does not list the secret of a young Key Vault version is
    /// repeated for up to ``CreatedSecretRemoval/settleSeconds`` (the first read of a run; later
    /// ones know this run's own writes).
    func observe(objectId: String, settling: Bool = false) async throws -> AppSecretObservation {
        let first = try await observation(of: graph.application(objectId: objectId))
        guard settling, let record = first.record, first.held == nil, let stored = record.stored,
            abs(context.serviceNow.timeIntervalSince(stored)) < Self.youngRecordSeconds
        else { return first }
        context.output.info(
            "Key Vault's current version names client secret keyId \(record.keyId), stored recently, which the application does not list (yet: Graph may still be replicating it); reading again."
        )
        let keyId = record.keyId.lowercased()
        return try await observe(objectId: objectId, within: CreatedSecretRemoval.settleSeconds) { passwords in
            passwords.contains { $0.keyId.lowercased() == keyId }
        }
    }

    /// Seconds after Key Vault stored a version in which Graph's lag can explain an application
    /// that does not list the version's secret yet (a run right after another).
    static let youngRecordSeconds: TimeInterval = 600
    /// Seconds a run waits for Graph to show its own writes before it ends.
    static let settleSeconds: Double = 30

    /// Reads the application again, with growing pauses, until `shows` holds for its secrets or
    /// `seconds` have passed (on a ``Stopwatch``); then the observation with that last read.
    func observe(
        objectId: String, within seconds: Double, until shows: ([PasswordCredential]) -> Bool
    ) async throws -> AppSecretObservation {
        var stopwatch = WaitProgress(
            clock: context.clock, output: context.output,
            waitingFor: "Graph to list this run's changes to application \(objectId)",
            atMostSeconds: seconds)
        var pause = 1.0
        var application = try await graph.application(objectId: objectId)
        while !shows(application.passwordCredentials), stopwatch.elapsed < seconds {
            try await stopwatch.pause(pause)
            pause = min(pause * 2, 4)
            application = try await graph.application(objectId: objectId)
        }
        return try await observation(of: application)
    }

    /// `application` with Key Vault's current version (read now).
    private func observation(of application: GraphApplication) async throws -> AppSecretObservation {
        var record: AppSecretObservation.Record?
        if let store, let secretName, let latest = try await store.latest(secretName), let keyId = latest.tags["keyId"]
        {
            record = .init(
                keyId: keyId, versionId: latest.id, stored: latest.created,
                connections: ConnectionRecord.names(in: latest.tags))
        }
        return AppSecretObservation(
            objectId: application.id, appId: application.appId, label: application.label,
            passwords: application.passwordCredentials, record: record, hasVault: store != nil, connections: updatable)
    }
}
