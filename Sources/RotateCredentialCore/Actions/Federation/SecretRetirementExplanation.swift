/// The words for ``SecretRetirementDecision``.
enum SecretRetirementExplanation: ReconcileExplanation {
    static func text(
        _ decision: SecretRetirementDecision, observation: SecretRetirementObservation,
        policy: SecretRetirementPolicy, now: Date
    ) -> String {
        let application = observation.application.label
        switch decision {
        case .findHolders(let secret):
            return
                "The converted connections of application \(application) no longer use client secret \(secret.label): looking through every project for service connections that may still hold it."
        case .remove(let secret):
            return "No holder of client secret \(secret.label) of application \(application) is left: removing it."
        case .converged(.removed):
            return "Application \(application): no client secret of its converted connections is left to retire."
        case .converged(.kept(let secret, let holders)):
            return "Client secret \(secret.label) of application \(application) stays: \(keptText(holders))."
        case .converged(.nothingToRemove(let why)):
            return "Application \(application): \(why)."
        }
    }

    /// "kept: held or possibly held by …".
    static func keptText(_ holders: [String]) -> String {
        "kept: held or possibly held by \(holders.joined(separator: "; "))"
    }
}
