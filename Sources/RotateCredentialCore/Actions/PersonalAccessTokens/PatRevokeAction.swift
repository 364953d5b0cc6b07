#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `pat-revoke`: for each selected display name, revokes every older token once the newest has
/// existed for `graceHours` and Key Vault holds the newest one's value (see ``PatRevocationPolicy``).
/// It never revokes the newest token of a name, and is a no-op when nothing is old enough.
struct PatRevokeAction: TaskAction {
    func run(_ context: ActionContext) async throws -> ActionResult {
        let support = try PatActionSupport(context)
        let configuration = context.configuration
        let now = support.started
        let store = try support.secretStore()
        let all = try await support.discover()
        let families = PatSelection.families(support.select(all))

        var entries: [String: PatReportEntry] = [:]
        var toRevoke: [(token: PersonalAccessToken, newest: PersonalAccessToken)] = []
        for family in families {
            let secretName = support.secretName(family.displayName)
            var stored: String?
            if !family.older.isEmpty {
                stored = try await store.latest(secretName)?.tags["authorizationId"]
            }
            let decision = PatRevocationPolicy.decide(
                family, graceHours: configuration.pat.graceHours, now: now, storedAuthorizationId: stored)
            let explanation = PatRevocationPolicy.explain(decision, family: family, secretName: secretName)
            context.output.info(explanation)
            entries[family.newest.authorizationId] = PatReportEntry(
                family.newest, now: now, outcome: "kept", detail: "newest token of this name")
            switch decision {
            case .revoke(let tokens):
                toRevoke += tokens.map { ($0, family.newest) }
            case .nothingOlder:
                break
            case .withinGrace, .newestNotStored:
                for older in family.older {
                    entries[older.authorizationId] = PatReportEntry(older, now: now, outcome: "kept", detail: explanation)
                }
            }
        }
        let plans = toRevoke.map { item in
            Plan(
                "Revoke PAT '\(item.token.displayName)' (\(item.token.authorizationId))",
                untouched: "PAT '\(item.token.displayName)' (\(item.token.authorizationId)) is still live.",
                steps: [
                    .change("revoke PAT '\(item.token.displayName)' (\(item.token.authorizationId)), replaced by \(item.newest.authorizationId)") {
                        try await support.client.revoke(authorizationId: item.token.authorizationId)
                        support.output.info("Revoked PAT '\(item.token.displayName)' (\(item.token.authorizationId)).")
                        return nil
                    }
                ])
        }
        let outcomes = await context.runner.runAll(plans, maxParallel: configuration.maxParallel)
        for (item, outcome) in zip(toRevoke, outcomes) {
            var entry = PatReportEntry(
                item.token, now: now, outcome: configuration.dryRun ? "would revoke" : "revoked",
                detail: "replaced by \(item.newest.authorizationId)")
            entry.newAuthorizationId = item.newest.authorizationId
            if let failure = outcome.failure {
                entry.outcome = "failed"
                entry.detail = "\(failure.error)"
            }
            entries[item.token.authorizationId] = entry
        }
        if toRevoke.isEmpty {
            context.output.info("Nothing to revoke.")
        }
        let ordered = PatSelection.ordered(all).compactMap { entries[$0.authorizationId] }
        support.writeReport(ordered)
        return ActionResult(
            changed: outcomes.contains { $0.succeeded },
            summaryMarkdown: PatReportFormat.summary(
                title: "PAT revocation in \(configuration.organization)", entries: ordered, dryRun: configuration.dryRun),
            failures: outcomes.filter { !$0.succeeded })
    }
}
