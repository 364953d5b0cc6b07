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
    /// repeated (the first read of a run; later ones know this run's own writes).
    func observe(objectId: String, settling: Bool = false) async throws -> AppSecretObservation {
        var application = try await graph.application(objectId: objectId)
        var record: AppSecretObservation.Record?
        if let store, let secretName, let latest = try await store.latest(secretName), let keyId = latest.tags["keyId"]
        {
            record = .init(
                keyId: keyId, versionId: latest.id, stored: latest.created,
                connections: ConnectionRecord.names(in: latest.tags))
            if settling { application = try await untilListed(keyId, storedAt: latest.created, in: application) }
        }
        return AppSecretObservation(
            objectId: application.id, appId: application.appId, label: application.label,
            passwords: application.passwordCredentials, record: record, hasVault: store != nil, connections: updatable)
    }

    /// Seconds after Key Vault stored a version in which Graph's lag can explain an application
    /// that does not list the version's secret yet (a run right after another).
    static let youngRecordSeconds: TimeInterval = 600

    /// `application`, read again (for up to ``CreatedSecretRemoval/settleSeconds``) while it does
    /// not list `keyId` and the version naming it is young enough for Graph's lag to explain that.
    private func untilListed(_ keyId: String, storedAt stored: Date?, in application: GraphApplication)
        async throws -> GraphApplication
    {
        func lists(_ app: GraphApplication) -> Bool {
            app.passwordCredentials.contains { $0.keyId.lowercased() == keyId.lowercased() }
        }
        guard !lists(application), let stored,
            abs(context.serviceNow.timeIntervalSince(stored)) < Self.youngRecordSeconds
        else { return application }
        context.output.info(
            "Key Vault's current version names client secret keyId \(keyId), stored recently, which the application does not list (yet: Graph may still be replicating it); reading again."
        )
        let started = context.clock.now()
        var current = application
        while !lists(current), context.clock.now().timeIntervalSince(started) < CreatedSecretRemoval.settleSeconds {
            try await context.clock.sleep(seconds: 1)
            current = try await graph.application(objectId: application.id)
        }
        return current
    }
}
