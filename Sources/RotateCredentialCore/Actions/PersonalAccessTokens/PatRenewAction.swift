#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `pat-renew`: extends `validTo` of the selected tokens that expire within `renewWithinDays` to
/// now + `validityDays`; the value does not change. The service may clamp the date to the
/// tenant's maximum lifetime, so the granted date is read back and a shorter one is a warning.
struct PatRenewAction: TaskAction {
    func run(_ context: ActionContext) async throws -> ActionResult {
        let support = try PatActionSupport(context)
        let configuration = context.configuration
        let now = support.started
        let selected = PatSelection.ordered(support.select(try await support.discover()))
        let requested = now.addingTimeInterval(Double(configuration.pat.validityDays) * 86_400)
        let log = PatChangeLog()
        var due: [PersonalAccessToken] = []
        var entries: [String: PatReportEntry] = [:]
        for token in selected {
            if token.expires(withinDays: configuration.pat.renewWithinDays, at: now) {
                due.append(token)
            } else {
                let detail = "expires in \(token.daysLeft(at: now)) days, not within renewWithinDays (\(configuration.pat.renewWithinDays))"
                context.output.info("PAT '\(token.displayName)' (\(token.authorizationId)) \(detail); left as it is.")
                entries[token.authorizationId] = PatReportEntry(token, now: now, outcome: "skipped", detail: detail)
            }
        }
        let plans = due.map { token in
            Plan(
                "Renew PAT '\(token.displayName)' (\(token.authorizationId))",
                untouched: "PAT '\(token.displayName)' (\(token.authorizationId)) keeps its expiry \(Timestamp.format(token.validTo)).",
                steps: [
                    .change("extend PAT '\(token.displayName)' (\(token.authorizationId)) to \(Timestamp.format(requested))") {
                        let renewed = try await support.client.renew(token, validTo: requested)
                        log.update(token.authorizationId) { $0.renewed = renewed }
                        return nil
                    }
                ])
        }
        for token in due { support.warnIfGlobal(token, replaced: false) }
        let outcomes = await context.runner.runAll(plans, maxParallel: configuration.maxParallel)

        var renewed: [PersonalAccessToken] = []
        for (token, outcome) in zip(due, outcomes) {
            var entry = PatReportEntry(token, now: now, outcome: "renewed")
            entry.requestedValidTo = requested
            if let failure = outcome.failure {
                entry.outcome = "failed"
                entry.detail = "\(failure.error)"
            } else if configuration.dryRun {
                entry.outcome = "would renew"
            } else if let result = log.change(token.authorizationId).renewed {
                renewed.append(result)
                entry.newAuthorizationId = result.authorizationId
                entry.newValidTo = result.validTo
                if result.validTo < requested.addingTimeInterval(-60) {
                    let message = "PAT '\(token.displayName)' (\(token.authorizationId)) was renewed to \(Timestamp.format(result.validTo)) only, not \(Timestamp.format(requested)) as asked: the organization's maximum PAT lifetime shortened it."
                    context.output.warning(message)
                    entry.detail = "clamped by the service's maximum lifetime"
                } else {
                    context.output.info("PAT '\(token.displayName)' (\(token.authorizationId)) now expires \(support.describe(result.validTo)).")
                }
            }
            entries[token.authorizationId] = entry
        }
        if renewed.count == 1, let only = renewed.first {
            context.output.setVariable("authorizationId", only.authorizationId)
            context.output.setVariable("expiresOn", Timestamp.format(only.validTo))
        }
        let ordered = selected.compactMap { entries[$0.authorizationId] }
        support.writeReport(ordered)
        return ActionResult(
            changed: !due.isEmpty && outcomes.contains { $0.succeeded },
            summaryMarkdown: PatReportFormat.summary(
                title: "PAT renewal in \(configuration.organization)", entries: ordered, dryRun: configuration.dryRun),
            failures: outcomes.filter { !$0.succeeded })
    }
}
