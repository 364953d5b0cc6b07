/// `service-connection-update`: writes a client secret (from `servicePrincipalKey`, or the latest
/// version of the Key Vault secret `secretName`) into the service connections named in
/// `serviceConnections`, after proving the secret works for each connection's application.
///
/// From Key Vault, the version's tags record which connections were given it: a connection
/// already recorded is not written again (a re-run changes nothing), one behind is brought up to
/// date. A secret Entra rejects is waited for only while it may still be replicating (the
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
        let changes = try await updater.discover(
            names: options.serviceConnections, appId: application?.appId ?? source.appId,
            convertAutomatic: options.convertAutomaticConnections,
            allowForeign: options.allowForeignServiceConnections)
        let behind = changes.filter { change in
            guard case .update(let endpoint, _) = change else { return false }
            return !(source.recorded.contains(endpoint.name.lowercased()))
        }
        for change in changes where !behind.contains(change) {
            if case .update(let endpoint, _) = change {
                context.output.info(
                    "Service connection '\(endpoint.name)' is recorded as holding \(source.description); not written again."
                )
            }
        }
        let plan = Plan(
            "Update service connections with the secret from \(source.description)",
            untouched: "Connections not listed as completed keep their previous secret.",
            steps: proofSteps(behind, source: source, application: application, context: context)
                + writeSteps(behind, updater: updater, source: source, context: context))
        if behind.isEmpty {
            context.output.info("Every listed service connection holds \(source.description); nothing to do.")
        }
        let outcome = await context.runner.run(plan)
        return try report(
            changes: changes, behind: behind, plan: plan, outcome: outcome, appId: application?.appId ?? source.appId,
            context: context)
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

    private func writeSteps(
        _ changes: [ServiceConnectionChange], updater: ServiceConnectionUpdater, source: ServiceConnectionKeySource,
        context: ActionContext
    ) -> [Step] {
        var steps: [Step] = []
        var tags = source.tags
        let key = source.key
        let time = Timestamp.format(context.serviceNow)
        for change in changes {
            steps += updater.steps(for: [change], securing: false) { key }
            guard case .update(let endpoint, _) = change, let keyVault = source.keyVault, let name = source.secretName,
                let version = source.version, let updated = ConnectionRecord.adding(endpoint.name, to: tags, at: time)
            else { continue }
            tags = updated
            steps.append(
                .change(
                    "Record in Key Vault secret '\(name)' that service connection '\(endpoint.name)' holds this version"
                ) {
                    try await keyVault.updateTags(name, version: version, tags: updated)
                    return nil
                })
        }
        return steps
    }

    private func report(
        changes: [ServiceConnectionChange], behind: [ServiceConnectionChange], plan: Plan, outcome: PlanOutcome,
        appId: String?,
        context: ActionContext
    ) throws -> ActionResult {
        let changed = !behind.isEmpty && !outcome.completed.isEmpty && !context.configuration.dryRun
        var report = AppSecretReport(
            action: context.configuration.action.rawValue, dryRun: context.configuration.dryRun, changed: changed,
            applicationId: appId)
        report.serviceConnections = AppSecretReport.connections(changes).map { connection in
            var connection = connection
            if !behind.contains(where: {
                if case .update(let e, _) = $0 { return e.name == connection.name } else { return false }
            }),
                connection.outcome.hasPrefix("updated")
            {
                connection.outcome = "up to date (recorded)"
            }
            return connection
        }
        report.completedSteps = outcome.completed
        report.failure = outcome.failure.map { _ in outcome.stateReport }
        try context.writeReport(report)
        var summary = ["### \(plan.title)\(context.configuration.dryRun ? " (dry run)" : "")", ""]
        if outcome.failure != nil { summary += ["**Failed**: \(outcome.stateReport)", ""] }
        summary += ServiceConnectionUpdater.summaryLines(behind)
        return ActionResult(
            changed: changed, summaryMarkdown: summary.joined(separator: "\n") + "\n",
            failures: outcome.succeeded ? [] : [outcome])
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
    var tags: [String: String] = [:]
    /// Connections (lower-cased) the version's tags record as given it.
    var recorded: Set<String> = []

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
            tags: latest.tags,
            recorded: ConnectionRecord.names(in: latest.tags))
    }
}
