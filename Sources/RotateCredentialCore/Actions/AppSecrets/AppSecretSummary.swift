/// The tail of the app-secret actions: output variables, the JSON report and the run summary,
/// per consumer (which secret it holds, what this run did about it).
struct AppSecretSummary: Sendable {
    let context: ActionContext
    let consumers: AppSecretConsumers
    let policy: AppSecretPolicy

    func finish(_ outcome: AppSecretOutcome, unmanaged: [PasswordCredential]) throws -> ActionResult {
        setOutputs(outcome)
        let final = outcome.final ?? outcome.initial
        for password in unmanaged {
            context.output.warning(
                "Client secret \(password.label) of application \(final.label) (started \(DateText.of(password.startDateTime))) is not managed by this task: made outside any run of it (by a person), newer than the secret Key Vault holds; no action of this task ever removes it. Remove it by hand when nobody uses it."
            )
        }
        let report = try writeReport(outcome, unmanaged: unmanaged)
        let failures =
            [outcome.failedPlan].compactMap { $0 }
            + [outcome.failure].compactMap { $0 }.map { PlanOutcome(failed: "Application \(final.label)", error: $0) }
        return ActionResult(
            changed: outcome.changed, summaryMarkdown: summary(outcome, report: report), failures: failures)
    }

    private func setOutputs(_ outcome: AppSecretOutcome) {
        guard let created = outcome.created else { return }
        let output = context.output
        output.setSecretVariable("newCredential", created.secret.secret)
        output.setVariable("passwordKeyId", created.secret.credential.keyId)
        if let end = created.secret.credential.endDateTime { output.setVariable("expiresOn", Timestamp.format(end)) }
        if let id = created.keyVaultSecretId { output.setVariable("keyVaultSecretId", id) }
    }

    private func writeReport(_ outcome: AppSecretOutcome, unmanaged: [PasswordCredential]) throws -> AppSecretReport {
        let configuration = context.configuration
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
        report.notManaged = unmanaged.map(AppSecretReport.Password.init)
        report.keptForHolders = keptBack(outcome).map { "\($0.password.label): \($0.reason)" }
        report.otherConnections = (final.bystanders?.found ?? []).map {
            "\($0.label) (first seen \(Timestamp.format($0.firstSeen)))"
        }
        report.failure = outcome.failedPlan.map(\.stateReport) ?? outcome.failure.map { "\($0)" }
        try context.writeReport(report)
        return report
    }

    private func keptBack(_ outcome: AppSecretOutcome) -> [KeptSecret] {
        guard case .converged(.upToDate(_, let kept)) = outcome.decisions.last else { return [] }
        return kept
    }

    private func connections(_ outcome: AppSecretOutcome) -> [AppSecretReport.Connection] {
        let updated = Set(outcome.updatedConnections.map { $0.id.lowercased() })
        return AppSecretReport.connections(consumers.changes).map { connection in
            var connection = connection
            if connection.outcome.hasPrefix("updated"), !updated.contains(connection.id?.lowercased() ?? "") {
                connection.outcome = context.configuration.dryRun ? "would update if behind" : "not changed by this run"
            }
            return connection
        }
    }

    private func consumerLines(_ outcome: AppSecretOutcome) -> [String] {
        let final = outcome.final ?? outcome.initial
        var lines: [String] = []
        if let name = consumers.secretName, consumers.store != nil {
            let holds = final.stored.map { "keyId \($0.keyId)" } ?? "no recorded secret"
            let did = outcome.created?.keyVaultSecretId.map { "stored \($0) this run" } ?? "unchanged"
            lines.append("Key Vault secret '\(name)': holds \(holds); \(did)")
        }
        let updated = Set(outcome.updatedConnections.map { $0.id.lowercased() })
        for connection in final.connections {
            let holds =
                final.record.holder(connection.id).map { "holds keyId \($0.keyId) (recorded)" }
                ?? "no record of holding Key Vault's current secret"
            let did = updated.contains(connection.id.lowercased()) ? "updated this run" : "unchanged"
            lines.append("Service connection \(connection.label): \(holds); \(did)")
        }
        for bystander in final.bystanders?.found ?? [] {
            lines.append(
                "Service connection \(bystander.label): not written by this task (not in serviceConnections); may hold any secret older than \(Timestamp.format(bystander.firstSeen)), which is kept"
            )
        }
        return lines
    }

    private func summary(_ outcome: AppSecretOutcome, report: AppSecretReport) -> String {
        let final = outcome.final ?? outcome.initial
        let dryRun = context.configuration.dryRun
        var lines = ["### Client secret of application \(final.label)\(dryRun ? " (dry run)" : "")", ""]
        if let failure = report.failure { lines += ["**Failed**: \(failure)", ""] }
        if let created = outcome.created {
            lines.append(
                "- New client secret keyId `\(created.secret.credential.keyId)`, expires \(DateText.of(created.secret.credential.endDateTime))"
            )
        }
        if dryRun {
            lines += outcome.decisions.filter(\.changes).map {
                "- Would: \(AppSecretExplanation.text($0, observation: outcome.initial, policy: policy, now: context.serviceNow))"
            }
        }
        lines += report.consumers.map { "- \($0)" }
        lines += outcome.removed.map { "- Removed client secret \($0.label)" }
        lines += report.keptForHolders.map { "- Kept old client secret \($0)" }
        lines += report.notManaged.map {
            "- Client secret keyId `\($0.keyId)`: not managed by this task (made by a person); never removed by it"
        }
        lines += ServiceConnectionUpdater.summaryLines(consumers.changes).filter {
            $0.contains("workload identity") || $0.isEmpty || $0.contains("could be converted")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
