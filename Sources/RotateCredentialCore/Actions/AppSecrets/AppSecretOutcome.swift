/// What a run did to one application's secrets: the observations, each decision, the changes
/// (folded from the steps' effects), and why it stopped if it did not converge.
struct AppSecretOutcome: ReconcileOutcome {
    /// A change made by this run.
    enum Event: Sendable {
        /// A secret was added and proven (and stored, when `keyVaultSecretId` is set).
        case created(NewPasswordCredential, keyVaultSecretId: String?)
        /// A connection was given a client secret.
        case connectionUpdated(ConnectionHolder)
        /// A secret of the task's nobody held was removed.
        case removedOrphan(PasswordCredential)
        /// An old secret went by the retention rule.
        case removedOld(PasswordCredential)
    }

    var initial: AppSecretObservation
    var final: AppSecretObservation?
    var decisions: [AppSecretDecision] = []
    var events: [Event] = []
    /// Secrets this run added that are live and stored nowhere (an undo that failed).
    var leftLive: [String] = []
    /// Whether an add of this run may still land (it got no certain answer): the run's intent
    /// then stays open for the next run.
    var mayStillLand = false
    var failedPlan: PlanOutcome?
    var failure: RotationFailure?

    init(initial: AppSecretObservation) {
        self.initial = initial
    }

    var succeeded: Bool { failedPlan == nil && failure == nil }
    var changed: Bool { !events.isEmpty }

    /// The secret created and kept by this run.
    var created: (secret: NewPasswordCredential, keyVaultSecretId: String?)? {
        for case .created(let secret, let id) in events { return (secret, id) }
        return nil
    }

    /// Connections updated by this run.
    var updatedConnections: [ConnectionHolder] {
        events.compactMap { if case .connectionUpdated(let holder) = $0 { return holder } else { return nil } }
    }

    /// Secrets removed by this run.
    var removed: [PasswordCredential] {
        events.compactMap {
            switch $0 {
            case .removedOrphan(let password), .removedOld(let password): return password
            default: return nil
            }
        }
    }

    /// Records what the plan for `decision` did, from its effects.
    mutating func record(_ decision: AppSecretDecision, result: PlanOutcome) {
        let progress = result.progress
        if let created = progress.createdSecret {
            if result.succeeded || progress.stored != nil || !progress.connectionsWritten.isEmpty {
                events.append(.created(created, keyVaultSecretId: progress.stored?.id))
            } else if result.failure?.leftBehind.isEmpty == false {
                leftLive.append(created.credential.keyId)
            }
        }
        events += progress.connectionsWritten.map { .connectionUpdated($0) }
        let orphans = if case .removeOrphans = decision { true } else { false }
        events += progress.removedSecrets.map { orphans ? .removedOrphan($0) : .removedOld($0) }
        if case .uncertainCreate(_, _, _, let live) = result.failure?.error as? RotationFailure { leftLive += live }
        mayStillLand = mayStillLand || progress.doubted || CreateDoubt.mayStillLand(result.failure?.error)
        if !result.succeeded { failedPlan = result }
    }
}
