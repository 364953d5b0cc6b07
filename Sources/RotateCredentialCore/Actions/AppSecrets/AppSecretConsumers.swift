/// The consumers of one application's secret and the clients to reach them: the Key Vault secret
/// (optional), the listed service connections (decided before anything changes), the task's
/// record of the application, and Graph.
struct AppSecretConsumers: Sendable {
    let context: ActionContext
    let graph: GraphApplicationClient
    let store: SecretStore?
    let secretName: String?
    let updater: ServiceConnectionUpdater?
    /// What to do with each listed connection (refusals were thrown at discovery).
    let changes: [ServiceConnectionChange]
    /// The application's record (nil without a vault).
    let keeper: RecordKeeper?
    /// Finds the connections the task does not write.
    let scanner: BystanderScanner

    /// The connections that take a key.
    var connections: [ConnectionRef] {
        changes.compactMap { change in
            guard case .update(let endpoint, _) = change else { return nil }
            return ConnectionRef(id: endpoint.id, name: endpoint.name, project: updater?.project ?? "")
        }
    }

    /// The changes for `connections`.
    func changes(for connections: [ConnectionRef]) -> [ServiceConnectionChange] {
        let ids = Set(connections.map { $0.id.lowercased() })
        return changes.filter { change in
            if case .update(let endpoint, _) = change { ids.contains(endpoint.id.lowercased()) } else { false }
        }
    }

    /// What adding or removing a client secret of the observed application needs.
    func changesApplication(_ observation: AppSecretObservation) -> AccessNeed {
        .changeApplication(objectId: observation.objectId, label: observation.label, identity: graph.credential)
    }

    /// Writes keys into the listed connections.
    var writer: ConnectionWriter? {
        updater.map { ConnectionWriter(updater: $0, keeper: keeper, context: context) }
    }

    /// Reads the application (by object id) and Key Vault's current version at once, and the
    /// record; Key Vault is not read when `stored` is the version this run stored and read back.
    func observe(objectId: String, stored: AppSecretObservation.StoredVersion? = nil) async throws
        -> AppSecretObservation
    {
        async let application = graph.application(objectId: objectId)
        let version = try await vaultVersion(unless: stored)
        return try await observation(of: application, version: version)
    }

    /// The first observation of a run, read after the record was loaded (so the lease can tell
    /// whether another run changed the application since). A read that does not list the secret of
    /// a young Key Vault version is repeated for up to ``CreatedSecretRemoval/settleSeconds``
    /// (later observations know this run's own writes).
    func observeFirst(objectId: String) async throws -> AppSecretObservation {
        let first = try await observe(objectId: objectId)
        if let stored = first.stored, first.held == nil, let time = stored.stored,
            abs(context.serviceNow.timeIntervalSince(time)) < Self.youngRecordSeconds
        {
            context.output.info(
                "Key Vault's current version names client secret keyId \(stored.keyId), stored recently, which the application does not list (yet: Graph may still be replicating it); reading again."
            )
            let keyId = stored.keyId.lowercased()
            return try await observe(objectId: objectId, within: CreatedSecretRemoval.settleSeconds) { passwords in
                passwords.contains { $0.keyId.lowercased() == keyId }
            }
        }
        return try await awaitingRecentIntent(first)
    }

    /// A run that recorded an intent moments ago and was killed may have added a secret Graph does
    /// not list yet: read again until one inside that intent shows (or replication cannot explain
    /// its absence any more), so the orphan is found now, not by the run after this one.
    private func awaitingRecentIntent(_ first: AppSecretObservation) async throws -> AppSecretObservation {
        let now = context.serviceNow
        let recent = first.record.intents.filter {
            !$0.settled && now.timeIntervalSince($0.opened) < Self.youngRecordSeconds
        }
        guard !recent.isEmpty else { return first }
        let shows: ([PasswordCredential]) -> Bool = { passwords in
            passwords.contains { password in
                recent.contains {
                    $0.covers(
                        id: password.keyId, name: password.displayName ?? "",
                        start: password.startDateTime ?? .distantPast)
                }
            }
        }
        guard !shows(first.passwords) else { return first }
        context.output.info(
            "An interrupted run recorded moments ago that it was adding a client secret to application \(first.label); reading the application again in case Graph does not list that secret yet."
        )
        return try await observe(objectId: first.objectId, within: CreatedSecretRemoval.settleSeconds, until: shows)
    }

    /// Seconds after Key Vault stored a version in which Graph's lag can explain an application
    /// that does not list the version's secret yet (a run right after another).
    static let youngRecordSeconds: TimeInterval = 600

    /// Reads the application again, with growing pauses, until `shows` holds for its secrets or
    /// `seconds` have passed (on a ``Stopwatch``); then the observation with that last read and Key
    /// Vault's current version (`stored`, when this run stored it).
    func observe(
        objectId: String, within seconds: Double, stored: AppSecretObservation.StoredVersion? = nil,
        until shows: ([PasswordCredential]) -> Bool
    ) async throws -> AppSecretObservation {
        let application = try await GraphReadLag(graph: graph, context: context).read(
            objectId: objectId, within: seconds, until: shows)
        return try await observation(of: application, version: vaultVersion(unless: stored))
    }

    /// What Key Vault's current version says: the secret it holds and, for versions written
    /// before the record existed, the connections given it.
    struct VaultVersion: Sendable {
        var stored: AppSecretObservation.StoredVersion?
        var legacy: Set<String> = []
    }

    /// Key Vault's current version: `stored` when this run stored and read it back, else read now
    /// (none without a vault).
    func vaultVersion(unless stored: AppSecretObservation.StoredVersion?) async throws -> VaultVersion {
        if let stored { return VaultVersion(stored: stored) }
        guard let store, let secretName, let latest = try await store.latest(secretName),
            let keyId = latest.tags["keyId"]
        else { return VaultVersion(stored: nil) }
        return VaultVersion(
            stored: .init(
                keyId: keyId, versionId: latest.id, stored: latest.created, replaces: latest.tags["replaces"]),
            legacy: ConnectionRecord.names(in: latest.tags))
    }

    /// `application` with Key Vault's `version` and the record.
    func observation(of application: GraphApplication, version: VaultVersion) async -> AppSecretObservation {
        if let keeper, let stored = version.stored, !version.legacy.isEmpty {
            await adoptLegacy(version.legacy, keyId: stored.keyId, keeper: keeper)
        }
        return AppSecretObservation(
            objectId: application.id, appId: application.appId, label: application.label,
            passwords: application.passwordCredentials, stored: version.stored, hasVault: store != nil,
            connections: connections,
            record: await keeper?.current ?? CredentialRecord(scope: RecordStore.application(appId: application.appId)))
    }

    /// Versions written before the record existed named the connections given them in a tag:
    /// those listed connections hold that version's secret.
    private func adoptLegacy(_ names: Set<String>, keyId: String, keeper: RecordKeeper) async {
        let record = await keeper.current
        for connection in connections
        where names.contains(connection.name.lowercased()) && record.holder(connection.id) == nil {
            await keeper.recordHolder(
                ConnectionHolder(
                    id: connection.id, name: connection.name, project: connection.project, keyId: keyId,
                    written: context.serviceNow))
        }
    }
}
