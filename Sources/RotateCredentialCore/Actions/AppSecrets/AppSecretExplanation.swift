/// Log lines for app-secret decisions: the words live here, the decisions are values.
enum AppSecretExplanation: ReconcileExplanation {
    /// One log line for `decision`.
    static func text(
        _ decision: AppSecretDecision, observation: AppSecretObservation, policy: AppSecretPolicy, now: Date
    ) -> String {
        let app = "Application \(observation.label)"
        switch decision {
        case .removeOrphan(let password):
            return
                "\(app): client secret \(password.label) (started \(DateText.of(password.startDateTime))) is held by no consumer and its value was never stored (an interrupted run created it); removing it."
        case .create:
            if let held = observation.held {
                return
                    "\(app): Key Vault holds client secret \(held.label), which expires on \(DateText.of(held.endDateTime)), within renewWithinDays (\(policy.renewWithinDays)); a new secret is due."
            }
            if let record = observation.record {
                return
                    "\(app): Key Vault holds client secret keyId \(record.keyId), which the application no longer lists; a new secret is due."
            }
            return
                "\(app): \(observation.passwords.count) client secret(s); the newest expires within renewWithinDays (\(policy.renewWithinDays)); a new secret is due."
        case .updateConnection(let name):
            return
                "\(app): service connection '\(name)' has no record of holding client secret keyId \(observation.record?.keyId ?? "?") (Key Vault's current version); giving it that value."
        case .removeOld(let password):
            return
                "\(app): old client secret \(password.label) is no longer held and its replacement is older than graceHours; removing it."
        case .converged(.upToDate(let password)):
            let connections = observation.connections.isEmpty ? "" : " Every listed service connection holds it."
            return
                "No new secret is due: client secret \(password?.label ?? "(none)") expires on \(DateText.of(password?.endDateTime)), more than \(policy.renewWithinDays) days from now (renewWithinDays).\(connections) Nothing (more) to change."
        case .fail(let failure):
            return "\(failure)"
        }
    }
}
