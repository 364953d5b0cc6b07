/// The one next thing to do for an application's client secrets, decided from an observation
/// alone. The safety rules live here: no secret a consumer may hold is removed (see
/// ``AppSecretOwnership``: Key Vault's, the newest, each listed connection's, a person's, and
/// any a connection the task does not write may hold); nothing old goes before every holder was
/// looked for; a secret the task added inside its recorded intent that nobody holds is an orphan
/// and is removed; a connection behind the record gets Key Vault's current value.
enum AppSecretDecision: ReconcileDecision, Equatable {
    /// Remove secrets of the task's whose value nobody has.
    case removeOrphans([PasswordCredential])
    /// Add a secret, prove it works, store it (or, without a vault, write the connections).
    case create
    /// Give the listed connections behind the record Key Vault's current value.
    case updateConnections([ConnectionRef])
    /// Look through every project for secret-based connections the task does not write.
    case findBystanders
    /// Remove old secrets the retention rule lets go and no holder may still use.
    case removeOld([PasswordCredential])
    /// Nothing to do.
    case converged(AppSecretState)
    /// Stop and report.
    case fail(RotationFailure)

    var isConverged: Bool { if case .converged = self { true } else { false } }
    var failure: RotationFailure? { if case .fail(let failure) = self { failure } else { nil } }
    var changes: Bool {
        switch self {
        case .removeOrphans, .create, .updateConnections, .removeOld: return true
        case .findBystanders, .converged, .fail: return false
        }
    }
}

/// An application in a state the action leaves as it is.
enum AppSecretState: Sendable, Equatable {
    /// Every consumer holds a live secret with enough time left (nil: no secret at all); `keptBack`:
    /// old secrets the retention rule would let go but a holder may still use.
    case upToDate(PasswordCredential?, keptBack: [KeptSecret])
}

/// An old secret kept because a consumer may still hold it, and why.
struct KeptSecret: Sendable, Equatable {
    var password: PasswordCredential
    var reason: String
}

extension AppSecretDecision {
    /// Decides for `observation` at the services' time `now`.
    static func decide(_ observation: AppSecretObservation, policy: AppSecretPolicy, now: Date) -> AppSecretDecision {
        let ownership = AppSecretOwnership(observation, policy: policy)
        if !ownership.orphans.isEmpty { return .removeOrphans(ownership.orphans) }
        if policy.creates {
            if isDue(observation, ownership: ownership, policy: policy, now: now) { return .create }
            let behind = observation.connectionsBehind
            if observation.hasVault, ownership.held != nil, !behind.isEmpty { return .updateConnections(behind) }
        }
        return decideRemovals(observation, ownership: ownership, policy: policy, now: now)
    }

    /// Whether a new secret is due: the held one expires within `renewWithinDays`, Key Vault holds
    /// one that is gone, or (nothing recorded) the newest is due.
    private static func isDue(
        _ observation: AppSecretObservation, ownership: AppSecretOwnership, policy: AppSecretPolicy, now: Date
    ) -> Bool {
        if observation.passwords.contains(where: { policy.createdThisRun.contains($0.keyId) }) { return false }
        if let held = ownership.held {
            return PasswordRetention.isRotationDue([held], renewWithinDays: policy.renewWithinDays, now: now)
        }
        if observation.hasVault, observation.stored != nil { return true }
        return PasswordRetention.isRotationDue(
            observation.passwords, renewWithinDays: policy.renewWithinDays, now: now)
    }

    /// The old secrets that may go (after every holder was looked for), or the converged state
    /// naming the ones a holder keeps.
    private static func decideRemovals(
        _ observation: AppSecretObservation, ownership: AppSecretOwnership, policy: AppSecretPolicy, now: Date
    ) -> AppSecretDecision {
        let newest = PasswordRetention.newest(observation.passwords)
        let current = ownership.held ?? newest
        guard policy.removesOld else { return .converged(.upToDate(current, keptBack: [])) }
        let wouldGo = policy.retention.removals(
            from: observation.passwords, now: now, protected: Set([current?.keyId, newest?.keyId].compactMap { $0 }))
        guard !wouldGo.isEmpty else { return .converged(.upToDate(current, keptBack: [])) }
        guard observation.bystanders != nil else { return .findBystanders }
        let removable = wouldGo.filter(ownership.mayRemove)
        if !removable.isEmpty { return .removeOld(removable) }
        let kept = wouldGo.map {
            KeptSecret(password: $0, reason: ownership.protected[$0.keyId.lowercased()] ?? "a holder may use it")
        }
        return .converged(.upToDate(current, keptBack: kept))
    }
}
