/// The one next thing to do for an application's client secrets, decided from an observation
/// alone. The safety rules live here: the secret Key Vault holds is never removed, nor the
/// newest; nothing old goes before the replacement is stored; a secret of ours newer than the
/// held one that nobody holds is an orphan (its value was lost) and is removed; a connection
/// behind the record gets the current value.
enum AppSecretDecision: ReconcileDecision, Equatable {
    /// Remove a secret of ours whose value nobody has.
    case removeOrphan(PasswordCredential)
    /// Add a secret, prove it works, store it (or, without a vault, write the connections).
    case create
    /// Give the named connection Key Vault's current value.
    case updateConnection(String)
    /// Remove an old secret the retention rule lets go.
    case removeOld(PasswordCredential)
    /// Nothing to do.
    case converged(AppSecretState)
    /// Stop and report.
    case fail(RotationFailure)

    var isConverged: Bool { if case .converged = self { true } else { false } }
    var failure: RotationFailure? { if case .fail(let failure) = self { failure } else { nil } }
}

/// An application in a state the action leaves as it is.
enum AppSecretState: Sendable, Equatable {
    /// Every consumer holds a live secret with enough time left (nil: no vault, the newest).
    case upToDate(PasswordCredential?)
}

extension AppSecretDecision {
    /// Decides for `observation` at the services' time `now`.
    static func decide(_ observation: AppSecretObservation, policy: AppSecretPolicy, now: Date) -> AppSecretDecision {
        let held = observation.held
        if let orphan = orphan(observation, held: held, policy: policy, now: now) { return .removeOrphan(orphan) }
        guard observation.hasVault else { return decideWithoutVault(observation, policy: policy, now: now) }
        let due: Bool
        if let held {
            due = isDue(held, policy: policy, now: now)
        } else if observation.record != nil {
            due = true  // Key Vault holds a secret that is gone
        } else {
            if let unclear = ambiguous(observation, policy: policy, now: now) { return unclear }
            due =
                PasswordRetention.isRotationDue(
                    observation.passwords, renewWithinDays: policy.renewWithinDays, now: now)
                && !observation.passwords.contains { policy.createdThisRun.contains($0.keyId) }
        }
        if due { return .create }
        if held != nil, let name = observation.connectionsBehind.first { return .updateConnection(name) }
        if policy.removesOld, let old = removals(observation, held: held, policy: policy, now: now).first {
            return .removeOld(old)
        }
        return .converged(.upToDate(held ?? PasswordRetention.newest(observation.passwords)))
    }

    /// Without a vault nothing records what consumers hold: the newest secret decides.
    private static func decideWithoutVault(
        _ observation: AppSecretObservation, policy: AppSecretPolicy, now: Date
    ) -> AppSecretDecision {
        let createdNow = observation.passwords.contains { policy.createdThisRun.contains($0.keyId) }
        if !createdNow,
            PasswordRetention.isRotationDue(observation.passwords, renewWithinDays: policy.renewWithinDays, now: now)
        {
            return .create
        }
        if policy.removesOld, let old = removals(observation, held: nil, policy: policy, now: now).first {
            return .removeOld(old)
        }
        return .converged(.upToDate(PasswordRetention.newest(observation.passwords)))
    }

    /// No record: when the newest secret is one of ours and an older one is due, the task cannot
    /// tell whether consumers were given ours (by hand) or it was lost by an interrupted run.
    private static func ambiguous(_ observation: AppSecretObservation, policy: AppSecretPolicy, now: Date)
        -> AppSecretDecision?
    {
        let ordered = PasswordRetention.newestFirst(observation.passwords)
        guard let newest = ordered.first, policy.isOurs(newest), !policy.createdThisRun.contains(newest.keyId),
            !isDue(newest, policy: policy, now: now),
            ordered.dropFirst().contains(where: { isDue($0, policy: policy, now: now) })
        else { return nil }
        return .fail(
            .ambiguous(
                credential: "Application \(observation.label)", secretName: "(the configured secretName)",
                candidates: ordered.map { "\($0.label), expires \(DateText.of($0.endDateTime))" }))
    }

    private static func orphan(
        _ observation: AppSecretObservation, held: PasswordCredential?, policy: AppSecretPolicy, now: Date
    ) -> PasswordCredential? {
        guard observation.hasVault, observation.record != nil else { return nil }
        let current = held?.startDateTime ?? observation.record?.stored ?? .distantPast
        let reference = policy.heldWhenRunBegan.map { min($0, current) } ?? current
        return observation.passwords.first { password in
            guard password != held, policy.isOurs(password), !policy.createdThisRun.contains(password.keyId),
                let start = password.startDateTime
            else { return false }
            return start > reference && start <= now.addingTimeInterval(AppSecretPolicy.tolerance)
        }
    }

    private static func removals(
        _ observation: AppSecretObservation, held: PasswordCredential?, policy: AppSecretPolicy, now: Date
    ) -> [PasswordCredential] {
        var protected: Set<String> = []
        if let held { protected.insert(held.keyId) }
        if let newest = PasswordRetention.newest(observation.passwords) { protected.insert(newest.keyId) }
        return policy.retention.removals(from: observation.passwords, now: now, protected: protected)
    }

    private static func isDue(_ password: PasswordCredential, policy: AppSecretPolicy, now: Date) -> Bool {
        guard !policy.createdThisRun.contains(password.keyId) else { return false }
        return PasswordRetention.isRotationDue([password], renewWithinDays: policy.renewWithinDays, now: now)
    }
}
