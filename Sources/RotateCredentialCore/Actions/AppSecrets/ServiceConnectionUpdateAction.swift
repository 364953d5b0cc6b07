/// `service-connection-update`: writes a client secret (from `servicePrincipalKey`, or the latest
/// version of the Key Vault secret `secretName`) into the service connections named in
/// `serviceConnections`, after proving the secret works for each connection's application.
///
/// From Key Vault, the task's record says which connection (by id) holds which secret: a
/// connection already holding the version's keyId is not written again (a re-run changes
/// nothing), one behind is brought up to date, on the one observe, decide, act loop. A secret Entra rejects is waited for only while it may still be replicating (the
/// application lists a young secret with its hint); otherwise the run fails at once.
struct ServiceConnectionUpdateAction: TaskAction {
    /// The project whose connections are written, and the identity that writes them.
    let connections: ConnectionsAccess
    /// Where the secret to write comes from.
    let secret: SecretToWrite

    func run(_ context: ActionContext) async throws -> ActionResult {
        let options = context.configuration.connections
        let project = connections.project
        let source = try await ServiceConnectionKeySource.load(secret, context: context)
        context.output.mask(source.key)
        let application = await applicationOf(source, context: context)
        let client = ServiceEndpointClient(
            context: context.services, credential: connections.identity, project: project)
        let updater = ServiceConnectionUpdater(client: client, output: context.output, project: project)
        let appId = application?.appId ?? source.appId
        let changes = try await updater.discover(
            names: options.serviceConnections, appId: appId, convertAutomatic: options.convertAutomaticConnections,
            allowForeign: options.allowForeignServiceConnections)
        let keeper = try await recordKeeper(source, appId: appId, context: context)
        let reconciler = ConnectionUpdateReconciler(
            context: context, source: source, changes: changes,
            writer: ConnectionWriter(updater: updater, keeper: keeper, context: context), keeper: keeper
        ) { behind in
            proofSteps(behind, source: source, application: application, context: context)
        }
        let outcome = await reconciler.run(from: await reconciler.observe())
        await keeper?.release(left: []) { _ in false }
        return try report(changes: changes, source: source, outcome: outcome, appId: appId, context: context)
    }

    /// The application's record, when the secret comes from a Key Vault version that names it.
    private func recordKeeper(_ source: ServiceConnectionKeySource, appId: String?, context: ActionContext)
        async throws -> RecordKeeper?
    {
        guard let vault = source.keyVault, source.keyId != nil, let appId else { return nil }
        return try await RecordKeeper.load(
            RecordStore(keyVault: vault, scope: RecordStore.application(appId: appId)), run: context.configuration.run,
            context: context, leaseSeconds: 1_800 + Double(context.configuration.clientSecret.replicationTimeoutSeconds)
        )
    }

    /// The application read from Graph (for its appId and its secrets' hints), when possible.
    private func applicationOf(_ source: ServiceConnectionKeySource, context: ActionContext) async -> GraphApplication?
    {
        guard let id = context.configuration.clientSecret.applicationId ?? source.appId,
            let identity = context.configuration.identities.azure
        else {
            return nil
        }
        do {
            return try await GraphApplicationClient(context: context.services, credential: identity).application(id)
        } catch {
            context.output.info(
                "Could not read application \(id) from Microsoft Graph (\(error.kind)); comparing connections with it as an appId."
            )
            return nil
        }
    }

    private func proofSteps(
        _ changes: [ServiceConnectionChange], source: ServiceConnectionKeySource, application: GraphApplication?,
        context: ActionContext
    ) -> [Step] {
        let timeout = context.configuration.clientSecret.replicationTimeoutSeconds
        let key = source.key
        let hint = String(key.exposedValue.prefix(3))
        let now = context.serviceNow
        let young: Bool? = application.map { app in
            app.passwordCredentials.contains { password in
                password.hint == hint
                    && (password.startDateTime ?? .distantPast) >= now.addingTimeInterval(-Double(timeout))
            }
        }
        let wait = SecretReplicationWait(
            tokens: EntraTokenClient(http: context.services.http, urls: context.services.urls), clock: context.clock,
            output: context.output, timeoutSeconds: timeout, cancellation: context.cancellation, isYoung: { young })
        var proven: Set<String> = []
        return changes.compactMap { change in
            guard case .update(let endpoint, _) = change, let tenant = endpoint.tenantId,
                let principal = endpoint.servicePrincipalId, proven.insert("\(tenant)|\(principal)").inserted
            else { return nil }
            return .read("Check that the secret works for application \(principal) (token requests with it)") {
                try await wait.waitUntilWorks(tenantId: tenant, appId: principal, secret: key)
            }
        }
    }

    private func report(
        changes: [ServiceConnectionChange], source: ServiceConnectionKeySource, outcome: ConnectionUpdateOutcome,
        appId: String?, context: ActionContext
    ) throws -> ActionResult {
        let configuration = context.configuration
        let written = Set(outcome.written.map { $0.id.lowercased() })
        let behind = Set(outcome.initial.behind.map { $0.id.lowercased() })
        let changed = !written.isEmpty && !configuration.dryRun
        var report = AppSecretReport(
            action: configuration.action.rawValue, dryRun: configuration.dryRun, changed: changed,
            applicationId: appId)
        report.serviceConnections = AppSecretReport.connections(changes).map { connection in
            var connection = connection
            let id = connection.id?.lowercased() ?? ""
            if connection.outcome.hasPrefix("updated"), !written.contains(id) {
                connection.outcome =
                    behind.contains(id)
                    ? (configuration.dryRun ? "would update" : "not updated") : "up to date (recorded)"
            }
            return connection
        }
        let failure = outcome.failedPlan.map(\.stateReport) ?? outcome.failure.map { "\($0)" }
        report.failure = failure
        try context.writeReport(report)
        var summary = [
            "### Update service connections with the secret from \(source.description)\(configuration.dryRun ? " (dry run)" : "")",
            "",
        ]
        if let failure { summary += ["**Failed**: \(failure)", ""] }
        summary += ServiceConnectionUpdater.summaryLines(
            changes.filter { change in
                guard case .update(let endpoint, _) = change else { return true }
                return behind.contains(endpoint.id.lowercased())
            })
        let failures =
            [outcome.failedPlan].compactMap { $0 }
            + [outcome.failure].compactMap { $0 }.map { PlanOutcome(failed: "service connections", error: $0) }
        return ActionResult(
            changed: changed, summaryMarkdown: summary.joined(separator: "\n") + "\n", failures: failures)
    }
}

/// The secret `service-connection-update` writes and, from Key Vault, the version's record.
struct ServiceConnectionKeySource: Sendable, CustomStringConvertible {
    var key: Secret
    var description: String
    var appId: String?
    var keyVault: KeyVaultClient?
    var secretName: String?
    var version: String?
    /// The keyId the Key Vault version's tags name (nil for an input secret).
    var keyId: String?

    static func load(_ secret: SecretToWrite, context: ActionContext) async throws -> ServiceConnectionKeySource {
        let vault: KeyVaultClient
        let secretName: String
        switch secret {
        case .input(let key):
            return ServiceConnectionKeySource(key: key, description: "the servicePrincipalKey input")
        case .keyVault(let access, let name):
            (vault, secretName) = (context.keyVault(access), name)
        }
        guard let latest = try await SecretStore(keyVault: vault).latest(secretName) else {
            throw RotationFailure.nothingToWrite(secretName: secretName, vault: vault.vaultURL.absoluteString)
        }
        return ServiceConnectionKeySource(
            key: latest.value, description: "Key Vault secret '\(secretName)' (\(latest.id))",
            appId: latest.tags["applicationId"],
            keyVault: vault, secretName: secretName, version: URL(string: latest.id)?.lastPathComponent,
            keyId: latest.tags["keyId"])
    }
}
