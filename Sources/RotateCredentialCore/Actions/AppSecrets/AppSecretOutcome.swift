import Synchronization

/// What a run did to one application's secrets: the observations, each decision, the changes,
/// and why it stopped if it did not converge.
struct AppSecretOutcome: ReconcileOutcome {
    /// A change made by this run.
    enum Event: Sendable {
        /// A secret was added and proven (and stored, when `keyVaultSecretId` is set).
        case created(NewPasswordCredential, keyVaultSecretId: String?)
        /// A connection was given Key Vault's current value (or the new secret).
        case connectionUpdated(String)
        /// A secret of ours nobody held was removed.
        case removedOrphan(PasswordCredential)
        /// An old secret went by the retention rule.
        case removedOld(PasswordCredential)
    }

    var initial: AppSecretObservation
    var final: AppSecretObservation?
    var decisions: [AppSecretDecision] = []
    var events: [Event] = []
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
    var updatedConnections: [String] {
        events.compactMap { if case .connectionUpdated(let name) = $0 { return name } else { return nil } }
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
}

/// What the steps of one create plan produced, read after the plan ran (steps are closures).
final class CreatedSecretLog: ReconcileLog {
    private let state = Mutex<(created: NewPasswordCredential?, removed: Bool, stored: String?)>((nil, false, nil))

    func set(created: NewPasswordCredential) { state.withLock { $0.created = created } }
    func setRemoved() { state.withLock { $0.removed = true } }
    func set(stored id: String) { state.withLock { $0.stored = id } }
    var created: NewPasswordCredential? { state.withLock { $0.removed ? nil : $0.created } }
    var storedId: String? { state.withLock { $0.stored } }

    /// The new value, for a step that writes it somewhere.
    func secret() throws -> Secret {
        guard let value = created?.secret else {
            throw InternalError("a step that writes the new client secret ran before it was created")
        }
        return value
    }
}
