/// Brings one application's client secrets and their consumers to the state the action wants:
/// observe, decide, act on that one decision, observe again, for a bounded number of rounds.
/// The loop itself is ``ReconcileSubject/run(from:)``; this type supplies the client-secret parts.
struct AppSecretReconciler: ReconcileSubject {
    typealias Explanation = AppSecretExplanation
    let consumers: AppSecretConsumers
    var policy: AppSecretPolicy
    let objectId: String
    /// This run's own writes, laid over observations that may lag behind them.
    var writes = AppSecretWrites()
    /// What this run stored in Key Vault (laid over instead of reading again) and found.
    var stored: AppSecretObservation.StoredVersion?
    /// The value this run stored (so connections get it without reading Key Vault again).
    var storedValue: Secret?
    var bystanders: BystanderScan?
    /// Whether the lease was taken (and the application observed afresh if another run held it).
    private var prepared = false
    /// Plans before the loop gives up: an orphan, a create, the connections, the bystanders, the
    /// removals, with room for a refused step.
    static let maxRounds = 8
    /// The content type of the Key Vault secret.
    static let contentType = "application/vnd.ms-entra.client-secret"

    init(consumers: AppSecretConsumers, policy: AppSecretPolicy, objectId: String) {
        self.consumers = consumers
        self.policy = policy
        self.objectId = objectId
    }

    var context: ActionContext { consumers.context }

    func credential(_ observation: AppSecretObservation) -> String { "application \(observation.label)" }

    func unbuiltPlan(_ error: any Error, observation: AppSecretObservation) -> PlanOutcome {
        PlanOutcome(failed: "Client secret of application \(observation.label)", error: error)
    }

    func record(_ decision: AppSecretDecision, result: PlanOutcome, into outcome: inout AppSecretOutcome) {
        outcome.record(decision, result: result)
    }

    mutating func remember(_ decision: AppSecretDecision, result: PlanOutcome) {
        let progress = result.progress
        if let created = progress.createdSecret {
            policy.createdThisRun.insert(created.credential.keyId)
            if !progress.tookBack(created.credential.keyId) { writes.add(created.credential) }
            if let bundle = progress.stored {
                stored = .init(
                    keyId: created.credential.keyId, versionId: bundle.id, stored: bundle.created,
                    replaces: bundle.tags["replaces"])
                storedValue = created.secret
            }
        }
        for case .foundBystanders(let scan) in progress.effects { bystanders = scan }
        for password in progress.removedSecrets { writes.remove(password.keyId) }
        for case .tookBack(let keyId) in progress.effects { writes.remove(keyId) }
    }

    func observeAgain(_ observation: AppSecretObservation) async throws -> AppSecretObservation {
        var next = writes.applied(to: try await consumers.observe(objectId: objectId, stored: stored))
        next.bystanders = bystanders ?? observation.bystanders
        return next
    }

    /// Reads until Graph shows this run's writes; the read when it shows more than the overlay
    /// did (a secret an interrupted run added moments before this run began), else nil. When
    /// Graph still lags after ``GraphReadLag/settleSeconds``, a warning says what the next
    /// run checks.
    mutating func settle(_ observation: AppSecretObservation) async throws -> AppSecretObservation? {
        guard !writes.isEmpty else { return nil }
        let pending = writes
        var read = try await consumers.observe(
            objectId: objectId, within: GraphReadLag.settleSeconds, stored: stored
        ) {
            pending.isShown(in: $0)
        }
        guard pending.isShown(in: read.passwords) else {
            context.output.warning(
                "Graph does not list this run's changes to application \(observation.label) yet, after \(Int(GraphReadLag.settleSeconds)) s (its reads lag its writes); the next run checks the application again."
            )
            return nil
        }
        writes = AppSecretWrites()
        read.bystanders = observation.bystanders
        return read == observation ? nil : read
    }

    /// Takes the application's lease before the first change; observes afresh when another run
    /// held it meanwhile, or lays the record's news over the observation.
    mutating func prepareToChange(_ observation: AppSecretObservation) async throws -> AppSecretObservation? {
        guard let keeper = consumers.keeper else { return nil }
        defer { prepared = true }
        let preparation = try await keeper.prepare(
            intending: [policy.displayName], observed: observation.record, firstTime: !prepared)
        return try await preparation.next(
            after: observation, lay: { $0.record = $1 },
            observeAgain: {
                context.output.info(
                    "Another run held the lease since this run looked; reading application \(observation.label) again.")
                return try await consumers.observe(objectId: objectId)
            })
    }

    /// What a dry run assumes the plan leaves.
    mutating func simulate(_ decision: AppSecretDecision, observation: AppSecretObservation) -> AppSecretObservation? {
        if case .create = decision { policy.createdThisRun.insert(AppSecretSimulation.newKeyId) }
        let validity = context.configuration.lifetimes.validityDays
        var next = AppSecretSimulation(displayName: policy.displayName, validityDays: validity, now: context.serviceNow)
            .after(decision, observation: observation)
        next?.bystanders = bystanders ?? observation.bystanders
        return next
    }

    func plan(for decision: AppSecretDecision, observation: AppSecretObservation) async throws -> Plan {
        switch decision {
        case .create:
            return AppSecretCreatePlan(consumers: consumers, observation: observation, policy: policy).plan()
        case .updateConnections(let connections):
            return try await connectionPlan(connections, observation: observation)
        case .findBystanders:
            return bystanderPlan(observation)
        case .removeOrphans(let passwords):
            return removalPlan(passwords, observation: observation, orphans: true)
        case .removeOld(let passwords):
            return removalPlan(passwords, observation: observation, orphans: false)
        case .converged, .fail:
            return Plan("Nothing to do", steps: [])
        }
    }
}
