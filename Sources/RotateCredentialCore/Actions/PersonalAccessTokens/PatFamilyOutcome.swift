/// What a run did to one PAT family: the observation it started from, each decision, what the
/// steps changed, and why it stopped if it did not converge.
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

    /// Records what a plan for `decision` did.
    mutating func record(_ decision: PatDecision, result: PlanOutcome, log: PatStepLog) {
        switch decision {
        case .create(let old):
            if let created = log.created, let stored = log.stored {
                events.append(.created(created, replacing: old, stored: stored))
            }
        case .revokeOrphan(let token) where result.succeeded:
            events.append(.revoked(token, orphan: true))
        case .revokeSuperseded(let token, _) where result.succeeded:
            events.append(.revoked(token, orphan: false))
        default:
            break
        }
        if !result.succeeded { failedPlan = result }
    }
}
