/// Brings one PAT family to the state its action wants: observe, decide, act on that one
/// decision with an idempotent step, observe again, for a bounded number of rounds. A dry run
/// observes, decides and prints the first decision's plan. The loop itself is
/// ``ReconcileSubject/run(from:)``; this type supplies the PAT parts.
struct PatReconciler: ReconcileSubject {
    typealias Explanation = PatExplanation
    let support: PatActionSupport
    let store: SecretStore
    var policy: PatPolicy
    /// Tokens this run created and, lower-cased, the ids it revoked: laid over the last
    /// observation instead of listing every token of the owner again after each step (that list
    /// is paged, so with many families a re-list per step grew with the square of their number).
    /// The PAT API's reads do not lag its writes; Key Vault is read again each round.
    private(set) var created: [PersonalAccessToken] = []
    private(set) var revoked: Set<String> = []
    /// Rounds before the loop gives up (each round acts once).
    static let maxRounds = 8

    var context: ActionContext { support.context }
    private var output: PipelineOutput { support.output }

    func credential(_ observation: PatObservation) -> String { "PAT '\(observation.displayName)'" }

    func record(_ decision: PatDecision, result: PlanOutcome, log: PatStepLog, into outcome: inout PatFamilyOutcome) {
        outcome.record(decision, result: result, log: log)
    }

    mutating func remember(_ decision: PatDecision, result: PlanOutcome, log: PatStepLog) {
        if let new = log.created {
            policy.createdThisRun.insert(new.token.authorizationId)
            created.append(new.token)
        }
        guard result.succeeded else { return }
        switch decision {
        case .revokeOrphan(let token), .revokeSuperseded(let token, _):
            revoked.insert(token.authorizationId.lowercased())
        default:
            break
        }
    }

    func observeAgain(_ observation: PatObservation) async throws -> PatObservation {
        let listed = Set(observation.tokens.map { $0.authorizationId.lowercased() })
        let tokens = (observation.tokens + created.filter { !listed.contains($0.authorizationId.lowercased()) })
            .filter { !revoked.contains($0.authorizationId.lowercased()) }
        return try await observe(observation.displayName, tokens: tokens)
    }

    /// Reads the family's tokens and Key Vault's current version.
    func observe(_ displayName: String, tokens: [PersonalAccessToken]? = nil) async throws -> PatObservation {
        var all = tokens ?? []
        if tokens == nil { all = try await support.client.list() }
        let family = PatSelection.families(all.filter { $0.displayName.lowercased() == displayName.lowercased() })
        let secretName = support.secretName(displayName)
        let latest = try await store.latest(secretName)
        let record = latest.flatMap { bundle in
            bundle.tags["authorizationId"].map {
                PatObservation.Record(authorizationId: $0, versionId: bundle.id, stored: bundle.created)
            }
        }
        return PatObservation(
            displayName: displayName, secretName: secretName, tokens: family.first?.tokens ?? [], record: record)
    }

    func plan(for decision: PatDecision, observation: PatObservation, log: PatStepLog) -> Plan {
        let name = observation.displayName
        switch decision {
        case .create(let old):
            return PatCreatePlan(
                support: support, store: store, secretName: observation.secretName, log: log
            )
            .plan(replacing: old, known: Set(observation.tokens.map(\.authorizationId)), rotate: policy.mode == .rotate)
        case .revokeOrphan(let token):
            return revokePlan(
                token,
                title:
                    "revoke PAT '\(name)' (\(token.authorizationId)): no consumer holds it and its value was never stored (an interrupted run created it)"
            )
        case .revokeSuperseded(let token, let held):
            return revokePlan(
                token, title: "revoke PAT '\(name)' (\(token.authorizationId)), replaced by \(held.authorizationId)")
        case .converged, .fail:
            return Plan("Nothing to do for PAT '\(name)'", steps: [])
        }
    }

    private func revokePlan(_ token: PersonalAccessToken, title: String) -> Plan {
        let client = support.client
        let output = self.output
        return Plan(
            "Revoke PAT '\(token.displayName)' (\(token.authorizationId))",
            untouched: "PAT '\(token.displayName)' (\(token.authorizationId)) is still live.",
            steps: [
                .change(title) {
                    try await client.revoke(authorizationId: token.authorizationId)
                    output.info("Revoked PAT '\(token.displayName)' (\(token.authorizationId)).")
                    return nil
                }
            ])
    }
}
