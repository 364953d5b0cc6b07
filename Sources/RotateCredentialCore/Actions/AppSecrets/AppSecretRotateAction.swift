/// `app-secret-rotate` and `app-secret-create`: keep every consumer of an application's client
/// secret (the Key Vault secret and the listed service connections) on a live secret with more
/// than `renewWithinDays` left, decided from what the consumers hold (see ``AppSecretDecision``).
///
/// When the held secret is due, a new one is added, proven, stored in Key Vault and read back;
/// connections behind the record get Key Vault's current value; `app-secret-rotate` then removes
/// the old secrets ``PasswordRetention`` lets go. Everything that could refuse (the application,
/// each connection) is read first, so a refusal stops the run before anything is added.
struct AppSecretRotateAction: TaskAction {
    /// Whether old secrets are removed at the end.
    enum Mode { case rotate, createOnly }
    let mode: Mode
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
        let consumers = try await Self.consumers(context, graph: graph, appId: application.appId)
        var policy = AppSecretPolicy(
            removesOld: mode == .rotate, renewWithinDays: lifetimes.renewWithinDays,
            retention: PasswordRetention(keepSecrets: options.keepSecrets, graceHours: lifetimes.graceHours),
            displayName: options.secretDisplayName ?? "rotate-credential \(Timestamp.day(context.clock.now()))")
        let first = try await consumers.observe(objectId: application.id, settling: true)
        policy.heldWhenRunBegan = first.held?.startDateTime
        let outcome = await AppSecretReconciler(consumers: consumers, policy: policy, objectId: application.id)
            .run(from: first)
        return try AppSecretSummary(context: context, consumers: consumers).finish(outcome)
    }

    /// Finds the vault and the connections and decides for each connection before any change.
    static func consumers(_ context: ActionContext, graph: GraphApplicationClient, appId: String) async throws
        -> AppSecretConsumers
    {
        let configuration = context.configuration
        let options = configuration.connections
        var changes: [ServiceConnectionChange] = []
        var updater: ServiceConnectionUpdater?
        if !options.serviceConnections.isEmpty, let project = configuration.project,
            let identity = configuration.identities.azureDevOps
        {
            let client = ServiceEndpointClient(context: context.services, credential: identity, project: project)
            let found = ServiceConnectionUpdater(client: client, output: context.output, project: project)
            changes = try await found.discover(
                names: options.serviceConnections, appId: appId, convertAutomatic: options.convertAutomaticConnections,
                allowForeign: options.allowForeignServiceConnections)
            updater = found
        }
        let keyVault = context.keyVault()
        return AppSecretConsumers(
            context: context, graph: graph, store: keyVault.map(SecretStore.init(keyVault:)), keyVault: keyVault,
            secretName: configuration.keyVault?.secretNameTemplate, updater: updater, changes: changes)
    }
}
