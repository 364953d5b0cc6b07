/// `pat-renew`: extends `validTo` of the selected tokens that expire within `renewWithinDays` to
/// now + `validityDays`; the value does not change. The service may clamp the date to the
/// tenant's maximum lifetime, so the granted date is read back and a shorter one is a warning.
struct PatRenewAction: TaskAction {
    /// Who the PAT owner is.
    let owner: PatOwnerAccess

    func run(_ context: ActionContext) async throws -> ActionResult {
        let support = try await PatActionSupport.start(context, owner: owner)
        let configuration = context.configuration
        let lifetimes = configuration.lifetimes
        let listed = try await support.discover(refusingUnknownNames: true)
        // Decided on the services' clock (their Date header, known since the list answered): a
        // token's validTo is the service's time, and so is the date a renewal asks for.
        let now = context.serviceNow
        let selected = PatSelection.ordered(support.select(listed))
        let requested = now.addingTimeInterval(Double(lifetimes.validityDays) * 86_400)
        var due: [PersonalAccessToken] = []
        var entries: [String: PatReportEntry] = [:]
        for token in selected {
            if token.expires(withinDays: lifetimes.renewWithinDays, at: now) {
                due.append(token)
            } else {
                let detail =
                    "expires in \(token.daysLeft(at: now)) days, not within renewWithinDays (\(lifetimes.renewWithinDays))"
                context.output.info("PAT '\(token.displayName)' (\(token.authorizationId)) \(detail); left as it is.")
                entries[token.authorizationId] = PatReportEntry(token, now: now, outcome: "skipped", detail: detail)
            }
        }
        for token in due { support.warnIfGlobal(token, replaced: false) }
        let results = await Parallel.map(due, maxParallel: configuration.maxParallel) { token in
            await renew(token, to: requested, support: support)
        }

        let renewed = record(zip(due, results), requested: requested, now: now, support: support, into: &entries)
        if renewed.count == 1, let only = renewed.first {
            context.output.setVariable("authorizationId", only.authorizationId)
            context.output.setVariable("expiresOn", Timestamp.format(only.validTo))
        }
        let ordered = selected.compactMap { entries[$0.authorizationId] }
        support.writeReport(ordered)
        return ActionResult(
            changed: results.contains { if case .success(.some) = $0 { return true } else { return false } },
            summaryMarkdown: PatReportFormat.summary(
                title: "PAT renewal in \(configuration.organization)", entries: ordered, dryRun: configuration.dryRun),
            failures: zip(due, results).compactMap { token, result in
                guard case .failure(let error) = result else { return nil }
                return PlanOutcome(failed: "Renew PAT '\(token.displayName)' (\(token.authorizationId))", error: error)
            })
    }

    /// Renews one token (nil in a dry run, which only logs).
    private func renew(_ token: PersonalAccessToken, to requested: Date, support: PatActionSupport) async
        -> Result<PersonalAccessToken?, any Error>
    {
        let title = "extend PAT '\(token.displayName)' (\(token.authorizationId)) to \(Timestamp.format(requested))"
        if support.configuration.dryRun {
            support.output.info("[dry run] would \(title)")
            support.context.access.plan([.managePats(owner: support.client.credential)], for: title)
            return .success(nil)
        }
        do {
            try support.context.cancellation.check()
            support.output.info("\(title)…")
            return .success(try await support.client.renew(token, validTo: requested))
        } catch {
            return .failure(error)
        }
    }

    /// Report entries and warnings for the renewals; returns the renewed tokens.
    private func record(
        _ pairs: Zip2Sequence<[PersonalAccessToken], [Result<PersonalAccessToken?, any Error>]>, requested: Date,
        now: Date,
        support: PatActionSupport, into entries: inout [String: PatReportEntry]
    ) -> [PersonalAccessToken] {
        var renewed: [PersonalAccessToken] = []
        for (token, result) in pairs {
            var entry = PatReportEntry(token, now: now, outcome: "renewed")
            entry.requestedValidTo = requested
            switch result {
            case .failure(let error):
                entry.outcome = "failed"
                entry.detail = "\(error)"
            case .success(nil):
                entry.outcome = "would renew"
            case .success(let result?):
                renewed.append(result)
                entry.newAuthorizationId = result.authorizationId
                entry.newValidTo = result.validTo
                if result.validTo < requested.addingTimeInterval(-60) {
                    let message =
                        "PAT '\(token.displayName)' (\(token.authorizationId)) was renewed to \(Timestamp.format(result.validTo)) only, not \(Timestamp.format(requested)) as asked: the organization's maximum PAT lifetime shortened it."
                    support.output.warning(message)
                    entry.detail = "clamped by the service's maximum lifetime"
                } else {
                    support.output.info(
                        "PAT '\(token.displayName)' (\(token.authorizationId)) now expires \(support.describe(result.validTo))."
                    )
                }
            }
            entries[token.authorizationId] = entry
        }
        return renewed
    }
}
