#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `pat-rotate` and `pat-create`: for each selected display name whose newest token expires
/// within `renewWithinDays`, create an organization-scoped replacement with the same name and
/// scope (or `scope`), store its value in Key Vault and read it back; `pat-rotate` then revokes
/// the old token, `pat-create` leaves it for `pat-revoke`.
///
/// If storing fails, the new token is revoked (it must not stay live and stored nowhere) and the
/// old one is untouched. `pat-create` finds a replacement it made earlier (the latest secret
/// version is tagged with the newest token's id while an older token is still active) and
/// creates nothing for that name.
struct PatRotateAction: TaskAction {
    /// Whether the old token is revoked in the same run.
    enum Mode: Sendable { case rotate, createOnly }
    let mode: Mode

    func run(_ context: ActionContext) async throws -> ActionResult {
        let support = try PatActionSupport(context)
        let configuration = context.configuration
        let now = support.started
        let store = try support.secretStore()
        let all = try await support.discover()
        let families = PatSelection.families(support.select(all))
        try support.checkSecretNames(families)
        let creation = PatCreation(
            client: support.client, output: context.output, known: Set(all.map(\.authorizationId)), started: now,
            clock: context.clock)
        let validTo = now.addingTimeInterval(Double(configuration.pat.validityDays) * 86_400)
        let log = PatChangeLog()

        var entries: [String: PatReportEntry] = [:]
        var due: [PersonalAccessToken] = []
        for family in families {
            let current = family.newest
            for older in family.older {
                entries[older.authorizationId] = PatReportEntry(
                    older, now: now, outcome: "kept", detail: "older token of this name; pat-revoke handles it")
            }
            guard current.expires(withinDays: configuration.pat.renewWithinDays, at: now) else {
                let detail = "expires in \(current.daysLeft(at: now)) days, not within renewWithinDays (\(configuration.pat.renewWithinDays))"
                context.output.info("PAT '\(current.displayName)' (\(current.authorizationId)) \(detail); nothing to do.")
                entries[current.authorizationId] = PatReportEntry(current, now: now, outcome: "skipped", detail: detail)
                continue
            }
            if mode == .createOnly {
                let secretName = support.secretName(current.displayName)
                let latest = try await store.latest(secretName)
                if let pending = PatKeyVaultRecord.pendingReplacement(in: family, tags: latest?.tags) {
                    let detail = "replacement \(pending.authorizationId) is already in Key Vault secret '\(secretName)', waiting for pat-revoke"
                    context.output.info("PAT '\(current.displayName)': \(detail); nothing created.")
                    var entry = PatReportEntry(pending, now: now, outcome: "pending", detail: detail)
                    entry.keyVaultSecretId = latest?.id
                    entries[pending.authorizationId] = entry
                    continue
                }
            }
            due.append(current)
        }

        let plans = due.map { plan(for: $0, support: support, store: store, creation: creation, validTo: validTo, log: log) }
        for token in due { support.warnIfGlobal(token, replaced: true) }
        let outcomes = await context.runner.runAll(plans, maxParallel: configuration.maxParallel)

        var created: [PersonalAccessTokenChange] = []
        for (token, outcome) in zip(due, outcomes) {
            let change = log.change(token.authorizationId)
            var entry = PatReportEntry(token, now: now, outcome: mode == .rotate ? "rotated" : "created")
            entry.newAuthorizationId = change.created?.authorizationId
            entry.newValidTo = change.created?.validTo
            entry.keyVaultSecretId = change.stored?.id
            if token.isGlobal { entry.detail = "global token replaced by an organization-scoped one" }
            if let failure = outcome.failure {
                entry.outcome = "failed"
                entry.detail = "\(failure.error)"
            } else if configuration.dryRun {
                entry.outcome = mode == .rotate ? "would rotate" : "would create"
            }
            if let new = change.created, let value = change.value, let stored = change.stored {
                created.append(PersonalAccessTokenChange(token: new, value: value, stored: stored))
                if new.validTo < validTo.addingTimeInterval(-60) {
                    context.output.warning("The replacement of PAT '\(token.displayName)' expires \(Timestamp.format(new.validTo)), earlier than the \(configuration.pat.validityDays) days asked: the organization's maximum PAT lifetime shortened it.")
                }
            }
            entries[token.authorizationId] = entry
        }
        if created.count == 1, let only = created.first {
            context.output.setSecretVariable("newCredential", only.value)
            context.output.setVariable("authorizationId", only.token.authorizationId)
            context.output.setVariable("expiresOn", Timestamp.format(only.token.validTo))
            context.output.setVariable("keyVaultSecretId", only.stored.id)
        }
        let ordered = PatSelection.ordered(all).compactMap { entries[$0.authorizationId] }
        support.writeReport(ordered)
        let title = mode == .rotate ? "PAT rotation" : "PAT replacements (pat-create)"
        return ActionResult(
            changed: outcomes.contains { $0.succeeded },
            summaryMarkdown: PatReportFormat.summary(
                title: "\(title) in \(configuration.organization)", entries: ordered, dryRun: configuration.dryRun),
            failures: outcomes.filter { !$0.succeeded })
    }

    /// Create, store and read back, then (pat-rotate) revoke the old token.
    private func plan(
        for old: PersonalAccessToken, support: PatActionSupport, store: SecretStore, creation: PatCreation,
        validTo: Date, log: PatChangeLog
    ) -> Plan {
        let name = old.displayName
        let key = old.authorizationId
        let secretName = support.secretName(name)
        let scope = support.configuration.pat.scope ?? old.scope
        var steps: [Step] = [
            .change("create a replacement for PAT '\(name)' (scope \(scope), organization only, valid to \(Timestamp.format(validTo)))") {
                let new = try await creation.create(displayName: name, scope: scope, validTo: validTo)
                log.update(key) {
                    $0.created = new.token
                    $0.value = new.value
                }
                support.output.info("Created PAT '\(name)' (\(new.token.authorizationId)), valid to \(Timestamp.format(new.token.validTo)).")
                let revoke = Compensation(
                    "revoke the new PAT '\(name)' (\(new.token.authorizationId))",
                    leftBehind: "PAT '\(name)', authorization id \(new.token.authorizationId), is live and stored nowhere"
                ) {
                    try await support.client.revoke(authorizationId: new.token.authorizationId)
                    support.output.info("Revoked the new PAT '\(name)' (\(new.token.authorizationId)); it was never stored.")
                }
                return store.guarding(
                    revoke, secretName: secretName, value: new.value,
                    credential: "the new PAT '\(name)' (\(new.token.authorizationId))")
            },
            .change("store the new value of PAT '\(name)' in Key Vault secret '\(secretName)' and read it back", secures: true) {
                let change = log.change(key)
                guard let new = change.created, let value = change.value else {
                    throw TaskFailure("internal: no new token to store")
                }
                let stored = try await store.storeAndVerify(
                    secretName, value: value, contentType: PatKeyVaultRecord.contentType, expires: new.validTo,
                    tags: PatKeyVaultRecord.tags(for: new, replacing: old))
                log.update(key) { $0.stored = stored }
                support.output.info("Stored PAT '\(name)' (\(new.authorizationId)) as \(stored.id).")
                return nil
            },
        ]
        if mode == .rotate {
            steps.append(
                .change("revoke the old PAT '\(name)' (\(old.authorizationId))") {
                    try await support.client.revoke(authorizationId: old.authorizationId)
                    log.update(key) { $0.revoked = true }
                    support.output.info("Revoked the old PAT '\(name)' (\(old.authorizationId)).")
                    return nil
                })
        }
        let untouched = "The old PAT '\(name)' (\(old.authorizationId)) is untouched and live."
        return Plan(
            mode == .rotate ? "Rotate PAT '\(name)'" : "Create a replacement for PAT '\(name)'", untouched: untouched,
            steps: steps)
    }
}

/// A replacement created and stored by this run.
private struct PersonalAccessTokenChange {
    var token: PersonalAccessToken
    var value: Secret
    var stored: KeyVaultClient.SecretBundle
}
