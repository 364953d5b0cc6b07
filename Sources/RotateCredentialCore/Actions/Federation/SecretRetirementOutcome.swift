/// What a run did about one application's client secret after its connections were converted,
/// folded from its plans' effects.
struct SecretRetirementOutcome: ReconcileOutcome {
    var initial: SecretRetirementObservation
    var final: SecretRetirementObservation?
    var decisions: [SecretRetirementDecision] = []
    /// Secrets this run removed.
    var removed: [PasswordCredential] = []
    /// Titles of the steps that completed, in order.
    var completed: [String] = []
    var failedPlan: PlanOutcome?
    var failure: RotationFailure?

    init(initial: SecretRetirementObservation) {
        self.initial = initial
    }

    /// Records what the plan for `decision` did, from its effects.
    mutating func record(_ decision: SecretRetirementDecision, result: PlanOutcome) {
        completed += result.completed
        removed += result.progress.removedSecrets
        if !result.succeeded { failedPlan = result }
    }
}
