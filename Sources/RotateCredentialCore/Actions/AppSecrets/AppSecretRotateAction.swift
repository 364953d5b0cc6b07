/// `app-secret-rotate`, `app-secret-create` and `app-secret-revoke`: keep every consumer of an
/// application's client secret (the Key Vault secret and the listed service connections) on a
/// live secret with more than `renewWithinDays` left, decided from what the consumers hold and the
/// task's record (see ``AppSecretDecision``).
///
/// When the held secret is due, a new one is added, proven, stored in Key Vault and read back;
/// connections behind the record get Key Vault's current value; `app-secret-rotate` and
/// `app-secret-revoke` then remove the old secrets ``PasswordRetention`` lets go and no holder may
/// still use (every project is looked through first). Everything that could refuse (the
/// application, each connection) is read first, so a refusal stops the run before anything is
/// added; the application's lease is taken before the first change.
struct AppSecretRotateAction: TaskAction {
    let mode: AppSecretPolicy.Mode
    /// The application and the identity that owns it.
    let target: ApplicationAccess

    func run(_ context: ActionContext) async throws -> ActionResult {
        let configuration = context.configuration
        let options = configuration.clientSecret
        let lifetimes = configuration.lifetimes
        let graph = GraphApplicationClient(context: context.services, credential: target.identity)
        let application = try await graph.application(target.applicationId)
        context.output.info(
            "Application \(application.label) has \(application.passwordCredentials.count) client secret(s).")
        let consumers = try await Self.consumers(context, graph: graph, appId: application.appId, mode: mode)
        var policy = AppSecretPolicy(
            mode: mode, renewWithinDays: lifetimes.renewWithinDays,
            retention: PasswordRetention(keepSecrets: options.keepSecrets, graceHours: lifetimes.graceHours),
            displayName: options.secretDisplayName ?? "rotate-credential \(Timestamp.day(context.clock.now()))")
        let first = try await consumers.observeFirst(objectId: application.id)
        policy.heldWhenRunBegan = first.held?.startDateTime
        let unmanaged = AppSecretOwnership(first, policy: policy).unmanaged
        await consumers.keeper?.recordUnmanaged(unmanaged.map(\.keyId))
        let outcome = await AppSecretReconciler(consumers: consumers, policy: policy, objectId: application.id)
            .run(from: first)
        await release(consumers.keeper, outcome: outcome, policy: policy)
        return try AppSecretSummary(context: context, consumers: consumers, policy: policy)
            .finish(outcome, unmanaged: unmanaged)
    }

    /// Writes the record back: this run's intent settled (open while an add may still land),
    /// earlier ones dropped when the run ended without an orphan.
    private func release(_ keeper: RecordKeeper?, outcome: AppSecretOutcome, policy: AppSecretPolicy) async {
        guard let keeper else { return }
        let clean =
            outcome.succeeded
            && (outcome.final.map { AppSecretOwnership($0, policy: policy).orphans.isEmpty } ?? false)
        await keeper.release(left: outcome.leftLive, keepOpen: outcome.mayStillLand) { _ in clean }
    }

    /// Finds the vault, the record and the connections and decides for each connection before any change.
    static func consumers(
        _ context: ActionContext, graph: GraphApplicationClient, appId: String, mode: AppSecretPolicy.Mode
    ) async throws -> AppSecretConsumers {
        let configuration = context.configuration
        let options = configuration.connections
        let endpoints = configuration.project.flatMap { project in
            configuration.identities.azureDevOps.map {
                ServiceEndpointClient(context: context.services, credential: $0, project: project)
            }
        }
        let keyVault = context.keyVault()
        async let loadedKeeper = keyVault.asyncMap { vault in  // read while the connections are found
            try await RecordKeeper.load(
                RecordStore(keyVault: vault, scope: RecordStore.application(appId: appId)), run: configuration.run,
                context: context,
                leaseSeconds: 1_800 + 2 * Double(configuration.clientSecret.replicationTimeoutSeconds))
        }
        var changes: [ServiceConnectionChange] = []
        var updater: ServiceConnectionUpdater?
        if mode != .revokeOnly, !options.serviceConnections.isEmpty, let endpoints, let project = configuration.project
        {
            let found = ServiceConnectionUpdater(client: endpoints, output: context.output, project: project)
            changes = try await found.discover(
                names: options.serviceConnections, appId: appId, convertAutomatic: options.convertAutomaticConnections,
                allowForeign: options.allowForeignServiceConnections)
            updater = found
        }
        let keeper = try await loadedKeeper
        return AppSecretConsumers(
            context: context, graph: graph, store: keyVault.map(SecretStore.init(keyVault:)),
            secretName: configuration.keyVault?.secretNameTemplate, updater: updater, changes: changes, keeper: keeper,
            scanner: BystanderScanner(client: endpoints, maxParallel: configuration.maxParallel))
    }
}

extension Optional where Wrapped: Sendable {
    /// `transform` of the value, awaited; nil when there is none.
    fileprivate func asyncMap<Result>(_ transform: (Wrapped) async throws -> Result) async rethrows -> Result? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
