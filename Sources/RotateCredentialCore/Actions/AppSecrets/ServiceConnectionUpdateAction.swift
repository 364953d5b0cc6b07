#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `service-connection-update`: writes a client secret (from `servicePrincipalKey`, or the latest
/// version of the Key Vault secret `secretName`) into the service connections named in
/// `serviceConnections`, after proving the secret works for each connection's application.
struct ServiceConnectionUpdateAction: TaskAction {
    func run(_ context: ActionContext) async throws -> ActionResult {
        let configuration = context.configuration
        let options = configuration.appSecret
        let output = context.output
        guard let project = configuration.project, let adoIdentity = configuration.azureDevOpsIdentity else {
            throw TaskFailure("project and an Azure DevOps identity are required.")
        }

        // The secret to write.
        var key = options.servicePrincipalKey
        var appIdFromVault: String?
        var source = "the servicePrincipalKey input"
        if key == nil {
            guard let vault = context.keyVault(), let secretName = configuration.keyVault?.secretNameTemplate else {
                throw TaskFailure("No secret to write: give servicePrincipalKey, or keyVaultName and secretName.")
            }
            guard let latest = try await SecretStore(keyVault: vault).latest(secretName) else {
                throw TaskFailure("Key Vault secret '\(secretName)' does not exist in \(vault.vaultURL.absoluteString); nothing to write.")
            }
            key = latest.value
            appIdFromVault = latest.tags["applicationId"]
            source = "Key Vault secret '\(secretName)' (\(latest.id))"
        }
        guard let key else { throw TaskFailure("No secret to write.") }
        output.mask(key)

        // The application, as an appId.
        var appId = options.applicationId ?? appIdFromVault
        if let id = options.applicationId, let identity = configuration.azureIdentity {
            do {
                appId = try await GraphApplicationClient(context: context.services, credential: identity).application(id).appId
            } catch {
                output.info("Could not read application \(id) from Microsoft Graph (\(error.kind)); comparing connections with it as an appId.")
            }
        }

        let client = ServiceEndpointClient(context: context.services, credential: adoIdentity, project: project)
        let updater = ServiceConnectionUpdater(client: client, output: output, project: project)
        let changes = try await updater.discover(
            names: options.serviceConnections, appId: appId, convertAutomatic: options.convertAutomaticConnections,
            allowForeign: options.allowForeignServiceConnections)
        output.info("Writing the secret from \(source).")

        var steps: [Step] = []
        var proven: Set<String> = []
        let wait = SecretReplicationWait(
            tokens: EntraTokenClient(http: context.services.http, urls: context.services.urls), clock: context.clock,
            output: output, timeoutSeconds: options.replicationTimeoutSeconds)
        for change in changes {
            guard case .update(let endpoint, _) = change, let tenant = endpoint.tenantId,
                let principal = endpoint.servicePrincipalId, proven.insert("\(tenant)|\(principal)").inserted
            else { continue }
            steps.append(
                .read("Check that the secret works for application \(principal) (a token request with it)") {
                    try await wait.waitUntilWorks(tenantId: tenant, appId: principal, secret: key)
                })
        }
        steps += updater.steps(for: changes, securing: false) { key }
        let plan = Plan(
            "Update service connections with the secret from \(source)",
            untouched: "Connections not listed as completed keep their previous secret.", steps: steps)
        let outcome = await context.runner.run(plan)

        let updated = changes.contains { if case .update = $0 { return true } else { return false } }
        var report = AppSecretReport(
            action: configuration.action.rawValue, dryRun: configuration.dryRun, changed: updated,
            applicationId: appId)
        report.serviceConnections = AppSecretReport.connections(changes)
        report.completedSteps = outcome.completed
        report.failure = outcome.failure.map { _ in outcome.stateReport }
        try context.writeReport(report)
        var summary = ["### \(plan.title)\(configuration.dryRun ? " (dry run)" : "")", ""]
        if outcome.failure != nil { summary.append("**Failed**: \(outcome.stateReport)"); summary.append("") }
        summary += ServiceConnectionUpdater.summaryLines(changes)
        return ActionResult(
            changed: updated, summaryMarkdown: summary.joined(separator: "\n") + "\n",
            failures: outcome.succeeded ? [] : [outcome])
    }
}
