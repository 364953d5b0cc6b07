/// Log lines and report entries for PAT decisions: the words live here, the decisions are values.
enum PatExplanation: ReconcileExplanation {
    /// One log line for `decision`.
    static func text(_ decision: PatDecision, observation: PatObservation, policy: PatPolicy, now: Date) -> String {
        let name = "PAT '\(observation.displayName)'"
        let vault = "Key Vault secret '\(observation.secretName)'"
        switch decision {
        case .create(let old):
            let why =
                observation.held == nil && observation.stored != nil
                ? "\(vault) holds \(observation.stored?.authorizationId ?? "?"), which is no longer live"
                : "\(old.authorizationId) expires \(Timestamp.day(old.validTo)) (\(old.daysLeft(at: now)) days), within renewWithinDays (\(policy.renewWithinDays))"
            return "\(name): \(why); a replacement is due."
        case .revokeOrphans(let tokens):
            let listed = tokens.map { "\($0.authorizationId) (created \(Timestamp.format($0.validFrom)))" }
            return
                "\(name): \(listed.joined(separator: ", ")) was created inside this task's recorded intent, is held by no consumer and its value was never stored (an interrupted run created it); revoking it."
        case .revokeSuperseded(let tokens, let held):
            return
                "\(name): \(vault) holds \(held.authorizationId); \(tokens.count) older token(s) (\(tokens.map(\.authorizationId).joined(separator: ", "))) are no longer held; revoking them."
        case .converged(let state):
            return "\(name): " + converged(state, vault: vault, policy: policy, now: now)
        case .fail(let failure):
            return "\(failure)"
        }
    }

    private static func converged(_ state: PatState, vault: String, policy: PatPolicy, now: Date) -> String {
        switch state {
        case .upToDate(let token):
            return
                "\(vault) holds \(token.authorizationId), which expires in \(token.daysLeft(at: now)) days, not within renewWithinDays (\(policy.renewWithinDays)); nothing to do."
        case .pending(let token, let older):
            return
                "replacement \(token.authorizationId) is already in \(vault), waiting for pat-revoke (\(older) older token(s)); nothing created."
        case .withinGrace(let token, let hours, let grace):
            return
                "the newest token (\(token.authorizationId)) was stored in \(vault) \((hours * 10).rounded() / 10) hours ago, less than graceHours (\(grace)); the older token(s) stay until then."
        case .notRecorded(let token):
            return
                "\(token.authorizationId) expires in \(token.daysLeft(at: now)) days, not within renewWithinDays (\(policy.renewWithinDays)); nothing to do (\(vault) records no token of this name)."
        case .notStored(let token):
            return
                "\(vault) is tagged with no live token of this name, not the newest token (\(token.authorizationId)); consumers may still read an older value, so nothing is revoked. Run pat-create (or store the newest value) first."
        }
    }

    /// Why a token people made is left alone, for the report and the log.
    static let notManaged =
        "not managed by this task: made outside any run of it (by a person), newer than the token Key Vault holds; no action of this task ever revokes it"

    /// Report entries for one family, keyed by authorization id.
    static func entries(_ outcome: PatFamilyOutcome, policy: PatPolicy, now: Date, dryRun: Bool) -> [String:
        PatReportEntry]
    {
        var entries: [String: PatReportEntry] = [:]
        for token in outcome.initial.tokens {
            entries[token.authorizationId] = PatReportEntry(
                token, now: now, outcome: "kept", detail: "older token of this name")
        }
        for token in outcome.initial.ownership(createdThisRun: []).unmanaged {
            entries[token.authorizationId] = PatReportEntry(
                token, now: now, outcome: "not managed", detail: notManaged)
        }
        if let first = outcome.decisions.first {
            apply(first, to: &entries, outcome: outcome, policy: policy, now: now, dryRun: dryRun)
        }
        for event in outcome.events {
            switch event {
            case .created(let new, let old, let stored):
                var entry = entries[old.authorizationId] ?? PatReportEntry(old, now: now, outcome: "")
                entry.outcome = policy.mode == .rotate ? "rotated" : "created"
                entry.detail = old.isGlobal ? "global token replaced by an organization-scoped one" : nil
                entry.newAuthorizationId = new.token.authorizationId
                entry.newValidTo = new.token.validTo
                entry.keyVaultSecretId = stored.id
                entries[old.authorizationId] = entry
            case .revoked(let token, let orphan):
                var entry = entries[token.authorizationId] ?? PatReportEntry(token, now: now, outcome: "")
                if entry.outcome != "rotated" { entry.outcome = "revoked" }
                entry.detail =
                    orphan ? "created by an interrupted run; value never stored" : (entry.detail ?? "replaced")
                entries[token.authorizationId] = entry
            }
        }
        if let failed = outcome.failedPlan?.failure, let subject = subject(outcome.decisions.last) {
            entries[subject.authorizationId]?.outcome = "failed"
            entries[subject.authorizationId]?.detail = "\(failed.error)"
        }
        return entries
    }

    private static func apply(
        _ decision: PatDecision, to entries: inout [String: PatReportEntry], outcome: PatFamilyOutcome,
        policy: PatPolicy,
        now: Date, dryRun: Bool
    ) {
        switch decision {
        case .converged(.upToDate(let token)), .converged(.notRecorded(let token)):
            let detail =
                "expires in \(token.daysLeft(at: now)) days, not within renewWithinDays (\(policy.renewWithinDays))"
            entries[token.authorizationId] = PatReportEntry(token, now: now, outcome: "skipped", detail: detail)
        case .converged(.pending(let token, _)):
            entries[token.authorizationId] = PatReportEntry(
                token, now: now, outcome: "pending", detail: "replacement stored, waiting for pat-revoke")
        case .converged(.withinGrace(let token, _, _)), .converged(.notStored(let token)):
            entries[token.authorizationId] = PatReportEntry(
                token, now: now, outcome: "kept", detail: "newest token of this name")
        case .create(let token) where dryRun:
            entries[token.authorizationId]?.outcome = policy.mode == .rotate ? "would rotate" : "would create"
        case .revokeOrphans(let tokens) where dryRun, .revokeSuperseded(let tokens, _) where dryRun:
            for token in tokens { entries[token.authorizationId]?.outcome = "would revoke" }
        case .fail(let failure):
            for token in outcome.initial.tokens { entries[token.authorizationId]?.detail = "\(failure)" }
        default:
            break
        }
    }

    private static func subject(_ decision: PatDecision?) -> PersonalAccessToken? {
        switch decision {
        case .create(let token): return token
        case .revokeOrphans(let tokens), .revokeSuperseded(let tokens, _): return tokens.first
        default: return nil
        }
    }
}
