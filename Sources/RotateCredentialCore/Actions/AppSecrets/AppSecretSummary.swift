/// The tail of the app-secret actions: output variables, the JSON report and the run summary,
/// per consumer (which secret it holds, what this run did about it).
struct AppSecretSummary: Sendable {
    let context: ActionContext
    let consumers: AppSecretConsumers

    func finish(_ outcome: AppSecretOutcome) throws -> ActionResult {
        let configuration = context.configuration
        let output = context.output
        if let created = outcome.created {
            output.setSecretVariable("newCredential", created.secret.secret)
            output.setVariable("passwordKeyId", created.secret.credential.keyId)
            if let end = created.secret.credential.endDateTime {
                output.setVariable("expiresOn", Timestamp.format(end))
            }
            if let id = created.keyVaultSecretId { output.setVariable("keyVaultSecretId", id) }
        }
        let final = outcome.final ?? outcome.initial
        let removedIds = Set(outcome.removed.map(\.keyId))
        var report = AppSecretReport(
            action: configuration.action.rawValue, dryRun: configuration.dryRun, changed: outcome.changed,
            applicationId: final.appId, objectId: final.objectId, displayName: nil)
        report.newSecret = outcome.created.map { AppSecretReport.Password($0.secret.credential) }
        report.keyVaultSecretId = outcome.created?.keyVaultSecretId
        report.removedSecrets = outcome.removed.map(AppSecretReport.Password.init)
        report.keptSecrets = final.passwords.filter { !removedIds.contains($0.keyId) }.map(
            AppSecretReport.Password.init)
        report.serviceConnections = connections(outcome)
        report.consumers = consumerLines(outcome)
        report.failure = failureText(outcome)
        try context.writeReport(report)
        let failures =
            [outcome.failedPlan].compactMap { $0 }
            + [outcome.failure].compactMap { $0 }.map { PlanOutcome(failed: "Application \(final.label)", error: $0) }
        return ActionResult(
            changed: outcome.changed, summaryMarkdown: summary(outcome, report: report), failures: failures)
    }

    private func failureText(_ outcome: AppSecretOutcome) -> String? {
        outcome.failedPlan.map(\.stateReport) ?? outcome.failure.map { "\($0)" }
    }

    private func connections(_ outcome: AppSecretOutcome) -> [AppSecretReport.Connection] {
        let updated = Set(outcome.updatedConnections.map { $0.lowercased() })
        return AppSecretReport.connections(consumers.changes).map { connection in
            var connection = connection
            if connection.outcome.hasPrefix("updated"), !updated.contains(connection.name.lowercased()) {
                connection.outcome = context.configuration.dryRun ? "would update if behind" : "not changed by this run"
            }
            return connection
        }
    }

    private func consumerLines(_ outcome: AppSecretOutcome) -> [String] {
        let final = outcome.final ?? outcome.initial
        var lines: [String] = []
        if let name = consumers.secretName, consumers.store != nil {
            let holds = final.record.map { "keyId \($0.keyId)" } ?? "no recorded secret"
            let did = outcome.created?.keyVaultSecretId.map { "stored \($0) this run" } ?? "unchanged"
            lines.append("Key Vault secret '\(name)': holds \(holds); \(did)")
        }
        let updated = Set(outcome.updatedConnections.map { $0.lowercased() })
        for name in consumers.updatable {
            let recorded = final.record?.connections.contains(name.lowercased()) ?? false
            let holds =
                recorded
                ? "holds keyId \(final.record?.keyId ?? "?") (recorded)"
                : "no record of holding Key Vault's current secret"
            lines.append(
                "Service connection '\(name)': \(holds); \(updated.contains(name.lowercased()) ? "updated this run" : "unchanged")"
            )
        }
        return lines
    }

    private func summary(_ outcome: AppSecretOutcome, report: AppSecretReport) -> String {
        let final = outcome.final ?? outcome.initial
        var lines = [
            "### Client secret of application \(final.label)\(context.configuration.dryRun ? " (dry run)" : "")", "",
        ]
        if let failure = report.failure { lines += ["**Failed**: \(failure)", ""] }
        if let created = outcome.created {
            lines.append(
                "- New client secret keyId `\(created.secret.credential.keyId)`, expires \(DateText.of(created.secret.credential.endDateTime))"
            )
        }
        if context.configuration.dryRun, let first = outcome.decisions.first {
            lines.append(
                "- Would: \(AppSecretExplanation.text(first, observation: outcome.initial, policy: reconcilerPolicy, now: context.serviceNow))"
            )
        }
        lines += report.consumers.map { "- \($0)" }
        lines += outcome.removed.map { "- Removed client secret \($0.label)" }
        lines += ServiceConnectionUpdater.summaryLines(consumers.changes).filter {
            $0.contains("workload identity") || $0.isEmpty || $0.contains("could be converted")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private var reconcilerPolicy: AppSecretPolicy {
        let options = context.configuration.clientSecret
        let lifetimes = context.configuration.lifetimes
        return AppSecretPolicy(
            removesOld: false, renewWithinDays: lifetimes.renewWithinDays,
            retention: PasswordRetention(keepSecrets: options.keepSecrets, graceHours: lifetimes.graceHours),
            displayName: options.secretDisplayName ?? "rotate-credential")
    }
}
