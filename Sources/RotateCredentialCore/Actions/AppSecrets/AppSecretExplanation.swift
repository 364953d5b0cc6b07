/// Log lines for app-secret decisions: the words live here, the decisions are values.
enum AppSecretExplanation: ReconcileExplanation {
    /// One log line for `decision`.
    static func text(
        _ decision: AppSecretDecision, observation: AppSecretObservation, policy: AppSecretPolicy, now: Date
    ) -> String {
        let app = "Application \(observation.label)"
        switch decision {
        case .removeOrphans(let passwords):
            return
                "\(app): \(passwords.map { "client secret \($0.label) (started \(DateText.of($0.startDateTime)))" }.joined(separator: ", ")) was added inside this task's recorded intent, is held by no consumer and its value was never stored (an interrupted run added it); removing it."
        case .create:
            return "\(app): " + due(observation, policy: policy)
        case .updateConnections(let connections):
            return
                "\(app): service connection(s) \(connections.map(\.label).joined(separator: ", ")) have no record of holding client secret keyId \(observation.stored?.keyId ?? "?") (Key Vault's current version); giving them that value."
        case .findBystanders:
            return
                "\(app): before removing an old client secret, looking through every project of the organization for secret-based service connections of this application that this task does not write (they may hold it)."
        case .removeOld(let passwords):
            return
                "\(app): old client secret(s) \(passwords.map(\.label).joined(separator: ", ")) are held by no consumer and their replacement is older than graceHours; removing them."
        case .converged(.upToDate(let password, let kept)):
            return converged(observation, password: password, kept: kept, policy: policy)
        case .fail(let failure):
            return "\(failure)"
        }
    }

    private static func due(_ observation: AppSecretObservation, policy: AppSecretPolicy) -> String {
        if let held = observation.held {
            return
                "Key Vault holds client secret \(held.label), which expires on \(DateText.of(held.endDateTime)), within renewWithinDays (\(policy.renewWithinDays)); a new secret is due."
        }
        if let stored = observation.stored {
            return
                "Key Vault holds client secret keyId \(stored.keyId), which the application no longer lists; a new secret is due."
        }
        return
            "\(observation.passwords.count) client secret(s); the newest expires within renewWithinDays (\(policy.renewWithinDays)); a new secret is due."
    }

    private static func converged(
        _ observation: AppSecretObservation, password: PasswordCredential?, kept: [KeptSecret], policy: AppSecretPolicy
    ) -> String {
        let connections = observation.connections.isEmpty ? "" : " Every listed service connection holds it."
        var text =
            "No new secret is due: client secret \(password?.label ?? "(none)") expires on \(DateText.of(password?.endDateTime)), more than \(policy.renewWithinDays) days from now (renewWithinDays).\(connections) Nothing (more) to change."
        for secret in kept {
            text += " Kept old client secret \(secret.password.label): \(secret.reason)."
        }
        return text
    }
}
