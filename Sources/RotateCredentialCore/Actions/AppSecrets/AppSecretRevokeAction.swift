/// `app-secret-revoke`: the second half of `app-secret-create`. Removes the old client secrets
/// ``PasswordRetention`` lets go, never the newest one and never the one Key Vault's latest
/// version holds (its `keyId` tag).
struct AppSecretRevokeAction: TaskAction {
    /// The application and the identity that owns it.
    let target: ApplicationAccess

    func run(_ context: ActionContext) async throws -> ActionResult {
        let configuration = context.configuration
        let options = configuration.clientSecret
        let graceHours = configuration.lifetimes.graceHours
        let output = context.output
        let graph = GraphApplicationClient(context: context.services, credential: target.identity)
        let now = context.serviceNow
        let application = try await graph.application(target.applicationId)
        output.info("Application \(application.label) has \(application.passwordCredentials.count) client secret(s).")

        let protected = try await protectedKeyIds(application, context: context)
        let removals = PasswordRetention(keepSecrets: options.keepSecrets, graceHours: graceHours)
            .removals(from: application.passwordCredentials, now: now, protected: protected)
        var report = AppSecretReport(
            action: configuration.action.rawValue, dryRun: configuration.dryRun, changed: !removals.isEmpty,
            applicationId: application.appId, objectId: application.id, displayName: application.displayName)
        guard !removals.isEmpty else {
            let message =
                "No client secret of application \(application.label) is due for removal (keepSecrets \(options.keepSecrets), graceHours \(graceHours)). Nothing changed."
            output.info(message)
            report.keptSecrets = application.passwordCredentials.map(AppSecretReport.Password.init)
            try context.writeReport(report)
            return ActionResult(
                changed: false, summaryMarkdown: "### Old client secrets of \(application.label)\n\n\(message)\n")
        }
        let steps = removals.map { password in
            AppSecretReconciler.removeStep(
                graph: graph, objectId: application.id, label: application.label, password: password)
        }
        let plan = Plan("Remove old client secrets of application \(application.label)", steps: steps)
        let outcome = await context.runner.run(plan)
        let removedTitles = Set(outcome.completed)
        let removed =
            configuration.dryRun ? [] : zip(removals, steps).filter { removedTitles.contains($0.1.title) }.map(\.0)
        let removedIds = Set(removed.map(\.keyId))
        report.removedSecrets = removed.map(AppSecretReport.Password.init)
        report.keptSecrets = application.passwordCredentials.filter { !removedIds.contains($0.keyId) }
            .map(AppSecretReport.Password.init)
        report.completedSteps = outcome.completed
        report.failure = outcome.failure.map { _ in outcome.stateReport }
        try context.writeReport(report)
        var summary = ["### \(plan.title)\(configuration.dryRun ? " (dry run)" : "")", ""]
        for password in removals {
            let verb =
                configuration.dryRun
                ? "Would remove" : (removedIds.contains(password.keyId) ? "Removed" : "Not removed")
            summary.append("- \(verb) client secret \(password.label)")
        }
        return ActionResult(
            changed: !removed.isEmpty, summaryMarkdown: summary.joined(separator: "\n") + "\n",
            failures: outcome.succeeded ? [] : [outcome])
    }

    /// The newest secret and the one Key Vault's latest version holds (its `keyId` tag).
    private func protectedKeyIds(_ application: GraphApplication, context: ActionContext) async throws -> Set<String> {
        var protected: Set<String> = []
        if let newest = PasswordRetention.newest(application.passwordCredentials) { protected.insert(newest.keyId) }
        guard let vault = context.keyVault(), let secretName = context.configuration.keyVault?.secretNameTemplate,
            let latest = try await SecretStore(keyVault: vault).latest(secretName)
        else { return protected }
        if let keyId = latest.tags["keyId"] {
            protected.insert(keyId)
            context.output.info("Key Vault secret '\(secretName)' holds client secret keyId \(keyId); it is kept.")
        } else {
            context.output.warning(
                "Key Vault secret '\(secretName)' has no keyId tag, so this task cannot tell which client secret it holds; only the retention rule protects it."
            )
        }
        return protected
    }
}
