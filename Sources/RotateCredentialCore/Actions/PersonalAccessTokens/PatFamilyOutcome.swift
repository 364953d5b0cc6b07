/// What a run did to one PAT family: the observation it started from, each decision, what the
/// steps changed (folded from their effects), and why it stopped if it did not converge.
struct PatFamilyOutcome: ReconcileOutcome {
    /// A change made by this run.
    enum Event: Sendable {
        /// A replacement was created and stored.
        case created(CreatedPersonalAccessToken, replacing: PersonalAccessToken, stored: KeyVaultClient.SecretBundle)
        /// A token was revoked.
        case revoked(PersonalAccessToken, orphan: Bool)
    }

    var initial: PatObservation
    var final: PatObservation?
    var decisions: [PatDecision] = []
    var events: [Event] = []
    /// Tokens this run created that are live and stored nowhere (a failed store whose undo failed).
    var leftLive: [String] = []
    /// Whether a create of this run may still land (it got no certain answer): the run's intent
    /// then stays open for the next run.
    var mayStillLand = false
    /// A plan that failed (its state report names what is left where).
    var failedPlan: PlanOutcome?
    /// A decision or loop that stopped the run.
    var failure: RotationFailure?

    init(initial: PatObservation) {
        self.initial = initial
    }

    /// Whether the family ended in the desired state.
    var succeeded: Bool { failedPlan == nil && failure == nil }

    /// Whether anything was changed.
    var changed: Bool { !events.isEmpty }

    /// The replacement created and stored, if any.
    var created: (token: CreatedPersonalAccessToken, stored: KeyVaultClient.SecretBundle)? {
        for case .created(let token, _, let stored) in events { return (token, stored) }
        return nil
    }

    /// Records what a plan for `decision` did, from its effects.
    mutating func record(_ decision: PatDecision, result: PlanOutcome) {
        let progress = result.progress
        switch decision {
        case .create(let old):
            if let created = progress.createdToken {
                if let stored = progress.stored {
                    events.append(.created(created, replacing: old, stored: stored))
                } else if result.failure?.leftBehind.isEmpty == false {
                    leftLive.append(created.token.authorizationId)
                }
            }
        case .revokeOrphans:
            events += progress.revokedTokens.map { .revoked($0, orphan: true) }
        case .revokeSuperseded:
            events += progress.revokedTokens.map { .revoked($0, orphan: false) }
        case .converged, .fail:
            break
        }
        if case .uncertainCreate(_, _, _, let live) = result.failure?.error as? RotationFailure { leftLive += live }
        mayStillLand = mayStillLand || progress.doubted || CreateDoubt.mayStillLand(result.failure?.error)
        if !result.succeeded { failedPlan = result }
    }
}
