/// Brings one PAT family to the state its action wants: observe, decide, act on that one
/// decision with an idempotent step, observe again, for a bounded number of rounds. The loop
/// itself is ``ReconcileSubject/run(from:)``; this type supplies the PAT parts.
struct PatReconciler: ReconcileSubject {
    typealias Explanation = PatExplanation
    let support: PatActionSupport
    let store: SecretStore
    /// The organization's record (lease, intents, tokens people made).
    let keeper: RecordKeeper
    var policy: PatPolicy
    /// What this run did, laid over the last observation instead of reading again: the PAT
    /// API's reads do not lag its writes, and Key Vault's version was read back by the store.
    private(set) var created: [PersonalAccessToken] = []
    private(set) var revoked: Set<String> = []
    private(set) var stored: PatObservation.StoredVersion?
    /// Whether the lease was taken (and the family observed afresh if another run held it).
    private var prepared = false
    /// Plans before the loop gives up: a create and a revoke of all superseded tokens, with
    /// room for orphans and a refused step.
    static let maxRounds = 6

    init(support: PatActionSupport, store: SecretStore, keeper: RecordKeeper, policy: PatPolicy) {
        self.support = support
        self.store = store
        self.keeper = keeper
        self.policy = policy
    }

    var context: ActionContext { support.context }

    func credential(_ observation: PatObservation) -> String { "PAT '\(observation.displayName)'" }

    func record(_ decision: PatDecision, result: PlanOutcome, into outcome: inout PatFamilyOutcome) {
        outcome.record(decision, result: result)
    }

    mutating func remember(_ decision: PatDecision, result: PlanOutcome) {
        let progress = result.progress
        if let new = progress.createdToken {
            policy.createdThisRun.insert(new.token.authorizationId)
            created.append(new.token)
        }
        if let bundle = progress.stored, let new = progress.createdToken {
            let old: String? = if case .create(let replaced) = decision { replaced.authorizationId } else { nil }
            stored = .init(
                authorizationId: new.token.authorizationId, versionId: bundle.id, stored: bundle.created,
                replaces: old)
        }
        revoked.formUnion(progress.revokedTokens.map { $0.authorizationId.lowercased() })
        for case .tookBack(let id) in progress.effects { revoked.insert(id.lowercased()) }
    }

    /// The last observation with this run's creates, revokes and store laid over it, and the
    /// record as it stands now: no request.
    func observeAgain(_ observation: PatObservation) async throws -> PatObservation {
        var next = observation
        let listed = Set(observation.tokens.map { $0.authorizationId.lowercased() })
        next.tokens = (created.filter { !listed.contains($0.authorizationId.lowercased()) } + observation.tokens)
            .filter { !revoked.contains($0.authorizationId.lowercased()) }
            .sorted { $0.validFrom > $1.validFrom }
        next.stored = stored ?? observation.stored
        next.record = await keeper.current
        return next
    }

    /// Takes the organization's lease before the first change; observes the family afresh when
    /// another run held it meanwhile, or lays the record's news over the observation.
    mutating func prepareToChange(_ observation: PatObservation) async throws -> PatObservation? {
        let names = support.configuration.pat.displayNames.map(\.text)
        defer { prepared = true }
        let preparation = try await keeper.prepare(
            intending: names, observed: observation.record, firstTime: !prepared)
        return try await preparation.next(
            after: observation, lay: { $0.record = $1 },
            observeAgain: {
                support.output.info(
                    "Another run held the lease since this run looked; reading PAT '\(observation.displayName)' again.")
                return try await observe(observation.displayName)
            })
    }

    /// What a dry run assumes the plan leaves: a new token stored and held, or tokens revoked.
    mutating func simulate(_ decision: PatDecision, observation: PatObservation) -> PatObservation? {
        var next = observation
        switch decision {
        case .create(let old):
            let now = context.serviceNow
            let token = PersonalAccessToken(
                authorizationId: "(new)", displayName: observation.displayName,
                scope: support.configuration.pat.scope ?? old.scope, targetAccounts: ["(organization)"],
                validFrom: now,
                validTo: now.addingTimeInterval(Double(support.configuration.lifetimes.validityDays) * 86_400)
            )
            next.tokens.insert(token, at: 0)
            next.stored = .init(
                authorizationId: "(new)", versionId: "(new version)", stored: now, replaces: old.authorizationId)
            policy.createdThisRun.insert("(new)")
        case .revokeOrphans(let tokens), .revokeSuperseded(let tokens, _):
            next.tokens.removeAll { tokens.contains($0) }
        case .converged, .fail:
            return nil
        }
        return next
    }

    /// Reads the family's tokens (the whole list unless given) and Key Vault's current version.
    func observe(_ displayName: String, tokens: [PersonalAccessToken]? = nil) async throws -> PatObservation {
        var all = tokens ?? []
        if tokens == nil { all = try await support.client.list() }
        let family = PatSelection.families(all.filter { $0.displayName.lowercased() == displayName.lowercased() })
        let secretName = support.secretName(displayName)
        let latest = try await store.latest(secretName)
        let stored = latest.flatMap { bundle in
            bundle.tags["authorizationId"].map {
                PatObservation.StoredVersion(
                    authorizationId: $0, versionId: bundle.id, stored: bundle.created, replaces: bundle.tags["replaces"]
                )
            }
        }
        return PatObservation(
            displayName: displayName, secretName: secretName, tokens: family.first?.tokens ?? [], stored: stored,
            record: await keeper.current)
    }

    func plan(for decision: PatDecision, observation: PatObservation) -> Plan {
        let name = observation.displayName
        switch decision {
        case .create(let old):
            return PatCreatePlan(support: support, store: store, secretName: observation.secretName)
                .plan(
                    replacing: old, known: Set(observation.tokens.map(\.authorizationId)),
                    rotate: policy.mode == .rotate)
        case .revokeOrphans(let tokens):
            return revokePlan(
                tokens, title: "Revoke the orphaned PAT(s) '\(name)'",
                why: "no consumer holds it and its value was never stored (an interrupted run of this task created it)")
        case .revokeSuperseded(let tokens, let held):
            return revokePlan(
                tokens, title: "Revoke the PAT(s) '\(name)' replaced by \(held.authorizationId)",
                why: "replaced by \(held.authorizationId), which Key Vault holds")
        case .converged, .fail:
            return Plan("Nothing to do for PAT '\(name)'", steps: [])
        }
    }

    /// One revoke step per token, all in one plan.
    private func revokePlan(_ tokens: [PersonalAccessToken], title: String, why: String) -> Plan {
        let client = support.client
        let output = support.output
        return Plan(
            title,
            untouched: "The PAT(s) not listed as revoked above are still live.",
            steps: tokens.map { token in
                .acting(
                    "revoke PAT '\(token.displayName)' (\(token.authorizationId)): \(why)",
                    needs: [.managePats(owner: client.credential)]
                ) { _ in
                    try await client.revoke(authorizationId: token.authorizationId)
                    output.info("Revoked PAT '\(token.displayName)' (\(token.authorizationId)).")
                    return StepResult(effects: [.revokedToken(token)])
                }
            })
    }
}
