/// `pat-list`: every active token of the user (or those matching `tokenDisplayNames`) with scope,
/// reach, validity and days left, as a log table, a run summary and the JSON report; a warning
/// for each token expiring within `renewWithinDays` (0: every token).
struct PatListAction: TaskAction {
    /// Who the PAT owner is.
    let owner: PatOwnerAccess

    func run(_ context: ActionContext) async throws -> ActionResult {
        let support = try await PatActionSupport.start(context, owner: owner)
        let configuration = context.configuration
        let all = try await support.discover(refusingUnknownNames: false)
        let patterns = configuration.pat.displayNames
        let tokens = PatSelection.ordered(patterns.isEmpty ? all : PatSelection.select(all, patterns: patterns))
        let now = context.serviceNow  // the services' time, as every decision about expiry
        let header = ["Display name", "Scope", "Reach", "Valid from", "Valid to", "Days left"]
        let rows = tokens.map { token in
            [
                token.displayName, token.scope, token.reach, Timestamp.day(token.validFrom),
                Timestamp.day(token.validTo), String(token.daysLeft(at: now)),
            ]
        }
        context.output.group("Personal access tokens (\(tokens.count))")
        for line in PatReportFormat.table(rows, header: header) { context.output.info(line) }
        context.output.endGroup()
        let sessionLine = support.session.map { reportSession($0, context: context) }

        let within = configuration.lifetimes.renewWithinDays
        var entries: [PatReportEntry] = []
        for token in tokens {
            let expiring = token.expires(withinDays: within, at: now)
            if expiring {
                context.output.warning(
                    "PAT '\(token.displayName)' (\(token.authorizationId)) expires on \(Timestamp.day(token.validTo)) (\(token.daysLeft(at: now)) days left)."
                )
            }
            support.warnIfGlobal(token, replaced: false)
            entries.append(PatReportEntry(token, now: now, outcome: expiring ? "expiring" : "listed"))
        }
        support.writeReport(entries)

        var summary = "## Personal access tokens in \(configuration.organization)\n\n"
        summary += tokens.isEmpty ? "No active token.\n" : PatReportFormat.markdown(rows, header: header) + "\n"
        let expiring = entries.filter { $0.outcome == "expiring" }.count
        if expiring > 0 {
            summary +=
                "\n\(expiring) token(s) expire within \(within == 0 ? "any time (renewWithinDays 0)" : "\(within) days").\n"
        }
        if let sessionLine { summary += "\n\(sessionLine)\n" }
        return ActionResult(changed: false, summaryMarkdown: summary)
    }

    /// When the stored session was last renewed (it ends after 90 days without a run).
    private func reportSession(_ session: RenewedPatOwnerSession, context: ActionContext) -> String {
        let line = session.describe(now: context.serviceNow)
        context.output.info(line)
        if let previous = session.previousRenewal, context.serviceNow.timeIntervalSince(previous) > 60 * 86_400 {
            context.output.warning(
                "The PAT owner's session had not been renewed for more than 60 days; it ends after 90 days without use. Schedule the PAT rotation (or pat-list) at least weekly."
            )
        }
        return line
    }
}
