/// What a run did to one listed service connection: the observations, each decision, and the
/// changes, folded from its plans' effects.
struct ConversionOutcome: ReconcileOutcome {
    /// A change made by this run (or its proof).
    enum Event: Sendable, Equatable {
        /// The application got a federated credential.
        case credentialAdded(FederatedIdentityCredential)
        /// The connection was converted to workload identity federation.
        case converted
        /// A conversion was undone (the connection is back on its secret).
        case reverted
        /// The connection moved to the Entra issuer; `gapSeconds`: how long it could not sign in.
        case moved(gapSeconds: Double?)
        /// An Azure DevOps-issuer credential the connection no longer used was removed.
        case removedCredential(FederatedIdentityCredential)
    }

    var initial: ConversionObservation
    var final: ConversionObservation?
    var decisions: [ConversionDecision] = []
    var events: [Event] = []
    /// How the connection was proven, in words.
    var proof: String?
    /// Titles of the steps that completed, in order.
    var completed: [String] = []
    var failedPlan: PlanOutcome?
    var failure: RotationFailure?

    init(initial: ConversionObservation) {
        self.initial = initial
    }

    var succeeded: Bool { failedPlan == nil && failure == nil }

    /// Whether the run changed the connection or its application.
    var changed: Bool { events.contains { $0 != .reverted } }

    /// The connection as the run last knew it (a failed plan's effects laid over the last observation).
    var latest: ConversionObservation {
        let last = final ?? initial
        return failedPlan.map { last.applying($0.effects) } ?? last
    }

    /// Records what the plan for `decision` did, from its effects.
    mutating func record(_ decision: ConversionDecision, result: PlanOutcome) {
        completed += result.completed
        let progress = result.progress
        for effect in progress.effects {
            switch effect {
            case .credentialAdded(let credential): events.append(.credentialAdded(credential))
            case .converted(let endpoint): events.append(progress.tookBack(endpoint.id) ? .reverted : .converted)
            case .issuerMoved: events.append(.moved(gapSeconds: progress.gapSeconds))
            case .removedCredential(let credential): events.append(.removedCredential(credential))
            case .proven(let text): proof = text
            default: continue
            }
        }
        if !result.succeeded { failedPlan = result }
    }
}
