/// `service-connection-update` on the one loop: the listed connections that the task's record
/// does not show holding the source's secret (all of them when the secret comes from an input,
/// which has no record) are proven and written, then the loop observes again and converges.
struct ConnectionUpdateReconciler: ReconcileSubject {
    typealias Explanation = ConnectionUpdateExplanation
    let context: ActionContext
    let source: ServiceConnectionKeySource
    let changes: [ServiceConnectionChange]
    let writer: ConnectionWriter
    /// The proof that the secret works, per application, before any write.
    let proof: @Sendable ([ServiceConnectionChange]) -> [Step]
    let keeper: RecordKeeper?
    let policy = ConnectionUpdatePolicy()
    private var written: Set<String> = []
    static let maxRounds = 3

    init(
        context: ActionContext, source: ServiceConnectionKeySource, changes: [ServiceConnectionChange],
        writer: ConnectionWriter, keeper: RecordKeeper?,
        proof: @escaping @Sendable ([ServiceConnectionChange]) -> [Step]
    ) {
        self.context = context
        self.source = source
        self.changes = changes
        self.writer = writer
        self.keeper = keeper
        self.proof = proof
    }

    func credential(_ observation: ConnectionUpdateObservation) -> String { "the service connections" }

    /// The first observation: every connection that takes a key, and the record.
    func observe() async -> ConnectionUpdateObservation {
        let connections = changes.compactMap { change -> ConnectionRef? in
            guard case .update(let endpoint, _) = change else { return nil }
            return ConnectionRef(id: endpoint.id, name: endpoint.name, project: writer.updater.project)
        }
        return ConnectionUpdateObservation(
            keyId: source.keyId, connections: connections, record: await keeper?.current, written: [])
    }

    func record(_ decision: ConnectionUpdateDecision, result: PlanOutcome, into outcome: inout ConnectionUpdateOutcome)
    {
        outcome.written += result.progress.connectionsWritten
        if !result.succeeded { outcome.failedPlan = result }
    }

    mutating func remember(_ decision: ConnectionUpdateDecision, result: PlanOutcome) {
        written.formUnion(result.progress.connectionsWritten.map { $0.id.lowercased() })
    }

    func observeAgain(_ observation: ConnectionUpdateObservation) async throws -> ConnectionUpdateObservation {
        var next = observation
        next.written = written
        next.record = await keeper?.current
        return next
    }

    func prepareToChange(_ observation: ConnectionUpdateObservation) async throws -> ConnectionUpdateObservation? {
        guard let keeper else { return nil }
        // Another run's writes show in the record; the connections are read from it, not again.
        let preparation = try await keeper.prepare(intending: [], observed: observation.record, firstTime: false)
        return await preparation.next(after: observation, lay: { $0.record = $1 }, observeAgain: { observation })
    }

    func simulate(_ decision: ConnectionUpdateDecision, observation: ConnectionUpdateObservation)
        -> ConnectionUpdateObservation?
    {
        guard case .update(let connections) = decision else { return nil }
        var next = observation
        next.written.formUnion(connections.map { $0.id.lowercased() })
        return next
    }

    func plan(for decision: ConnectionUpdateDecision, observation: ConnectionUpdateObservation) -> Plan {
        guard case .update(let connections) = decision else { return Plan("Nothing to do", steps: []) }
        let ids = Set(connections.map { $0.id.lowercased() })
        let behind = changes.filter { change in
            if case .update(let endpoint, _) = change { ids.contains(endpoint.id.lowercased()) } else { false }
        }
        let key = source.key
        let keyId = source.keyId ?? ""
        return Plan(
            "Update service connections with the secret from \(source.description)",
            untouched: "Connections not reported as written keep their previous secret.",
            steps: proof(behind) + [writer.step(behind, secures: false) { _ in (key, keyId) }])
    }
}

/// The listed connections, the secret's keyId and what the record (and this run) says each holds.
struct ConnectionUpdateObservation: Sendable, Equatable {
    /// The source's keyId (its Key Vault version's tag); nil for a secret given as an input.
    var keyId: String?
    var connections: [ConnectionRef]
    /// The application's record, when the secret comes from Key Vault.
    var record: CredentialRecord?
    /// Connections (ids, lower-cased) written by this run.
    var written: Set<String>

    /// Connections not known to hold the source's secret.
    var behind: [ConnectionRef] {
        connections.filter { connection in
            guard !written.contains(connection.id.lowercased()) else { return false }
            guard let keyId, let holder = record?.holder(connection.id) else { return true }
            return holder.keyId.lowercased() != keyId.lowercased()
        }
    }
}

/// Nothing to choose: every listed connection should hold the source's secret.
struct ConnectionUpdatePolicy: Sendable, Equatable {}

/// Write the connections behind, or nothing.
enum ConnectionUpdateDecision: ReconcileDecision, Equatable {
    case update([ConnectionRef])
    case converged
    case fail(RotationFailure)

    static func decide(_ observation: ConnectionUpdateObservation, policy: ConnectionUpdatePolicy, now: Date) -> Self {
        let behind = observation.behind
        return behind.isEmpty ? .converged : .update(behind)
    }

    var isConverged: Bool { self == .converged }
    var failure: RotationFailure? { if case .fail(let failure) = self { failure } else { nil } }
    var changes: Bool { if case .update = self { true } else { false } }
}

/// The words for ``ConnectionUpdateDecision``.
enum ConnectionUpdateExplanation: ReconcileExplanation {
    static func text(
        _ decision: ConnectionUpdateDecision, observation: ConnectionUpdateObservation,
        policy: ConnectionUpdatePolicy, now: Date
    ) -> String {
        switch decision {
        case .update(let connections):
            return
                "Service connection(s) \(connections.map(\.label).joined(separator: ", ")) have no record of holding this secret; writing it."
        case .converged:
            let recorded = observation.connections.filter { !observation.written.contains($0.id.lowercased()) }
            return recorded.isEmpty
                ? "Every listed service connection holds the secret; nothing (more) to change."
                : "Service connection(s) \(recorded.map(\.label).joined(separator: ", ")) are recorded as holding this secret; not written again."
        case .fail(let failure):
            return "\(failure)"
        }
    }
}

/// What `service-connection-update` did.
struct ConnectionUpdateOutcome: ReconcileOutcome {
    var initial: ConnectionUpdateObservation
    var final: ConnectionUpdateObservation?
    var decisions: [ConnectionUpdateDecision] = []
    var written: [ConnectionHolder] = []
    var failedPlan: PlanOutcome?
    var failure: RotationFailure?

    init(initial: ConnectionUpdateObservation) {
        self.initial = initial
    }
}
