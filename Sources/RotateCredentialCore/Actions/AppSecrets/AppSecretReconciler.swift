/// Brings one application's client secrets and their consumers to the state the action wants:
/// observe, decide, act on that one decision, observe again, for a bounded number of rounds. A
/// dry run observes, decides and prints the first decision's plan. The loop itself is
/// ``ReconcileSubject/run(from:)``; this type supplies the client-secret parts.
struct AppSecretReconciler: ReconcileSubject {
    typealias Explanation = AppSecretExplanation
    let consumers: AppSecretConsumers
    var policy: AppSecretPolicy
    let objectId: String
    /// This run's own writes, laid over observations that may lag behind them.
    var writes = AppSecretWrites()
    /// Rounds before the loop gives up (each round acts once).
    static let maxRounds = 12
    /// The content type of the Key Vault secret.
    static let contentType = "application/vnd.ms-entra.client-secret"

    var context: ActionContext { consumers.context }

    func credential(_ observation: AppSecretObservation) -> String { "application \(observation.label)" }

    func unbuiltPlan(_ error: any Error, observation: AppSecretObservation) -> PlanOutcome {
        PlanOutcome(failed: "Client secret of application \(observation.label)", error: error)
    }

    mutating func remember(_ decision: AppSecretDecision, result: PlanOutcome, log: CreatedSecretLog) {
        if let created = log.created {
            policy.createdThisRun.insert(created.credential.keyId)
            writes.add(created.credential)
        }
        guard result.succeeded else { return }
        if case .removeOld(let password) = decision { writes.remove(password.keyId) }
        if case .removeOrphan(let password) = decision { writes.remove(password.keyId) }
    }

    func observeAgain(_ observation: AppSecretObservation) async throws -> AppSecretObservation {
        writes.applied(to: try await consumers.observe(objectId: objectId))
    }

    /// Reads until Graph shows this run's writes; the read when it shows more than the overlay
    /// did (a secret an interrupted run added moments before this run began), else nil. When
    /// Graph still lags after ``AppSecretConsumers/settleSeconds``, a warning says what the next
    /// run checks.
    mutating func settle(_ observation: AppSecretObservation) async throws -> AppSecretObservation? {
        guard !writes.isEmpty else { return nil }
        let pending = writes
        let read = try await consumers.observe(objectId: objectId, within: AppSecretConsumers.settleSeconds) {
            pending.isShown(in: $0)
        }
        guard pending.isShown(in: read.passwords) else {
            context.output.warning(
                "Graph does not list this run's changes to application \(observation.label) yet, after \(Int(AppSecretConsumers.settleSeconds)) s (its reads lag its writes); the next run checks the application again."
            )
            return nil
        }
        writes = AppSecretWrites()
        return read == observation ? nil : read
    }

    func record(
        _ decision: AppSecretDecision, result: PlanOutcome, log: CreatedSecretLog, into outcome: inout AppSecretOutcome
    ) {
        switch decision {
        case .create:
            if let created = log.created, result.succeeded || log.storedId != nil {
                outcome.events.append(.created(created, keyVaultSecretId: log.storedId))
            }
            if result.succeeded, consumers.store == nil {
                outcome.events += consumers.updatable.map { .connectionUpdated($0) }
            }
        case .updateConnection(let name) where result.succeeded:
            outcome.events.append(.connectionUpdated(name))
        case .removeOrphan(let password) where result.succeeded:
            outcome.events.append(.removedOrphan(password))
        case .removeOld(let password) where result.succeeded:
            outcome.events.append(.removedOld(password))
        default:
            break
        }
        if !result.succeeded { outcome.failedPlan = result }
    }

    func plan(for decision: AppSecretDecision, observation: AppSecretObservation, log: CreatedSecretLog)
        async throws -> Plan
    {
        switch decision {
        case .create:
            return AppSecretCreatePlan(consumers: consumers, observation: observation, policy: policy, log: log).plan()
        case .updateConnection(let name):
            return try await connectionPlan(name, observation: observation)
        case .removeOrphan(let password):
            let removal = CreatedSecretRemoval(graph: consumers.graph, clock: context.clock, output: context.output)
            let label = "client secret \(password.label) of application \(observation.label)"
            return Plan(
                "Remove an orphaned client secret of application \(observation.label)",
                steps: [
                    .change(
                        "Remove \(label): no consumer holds it and its value was never stored (an interrupted run created it)"
                    ) {
                        try await removal.remove(objectId: observation.objectId, keyId: password.keyId, label: label)
                        return nil
                    }
                ])
        case .removeOld(let password):
            return Plan(
                "Remove old client secrets of application \(observation.label)",
                steps: [
                    Self.removeStep(
                        graph: consumers.graph, objectId: observation.objectId, label: observation.label,
                        password: password)
                ])
        case .converged, .fail:
            return Plan("Nothing to do", steps: [])
        }
    }

    /// Gives connection `name` Key Vault's current value, checks it, and records it in the version's tags.
    private func connectionPlan(_ name: String, observation: AppSecretObservation) async throws -> Plan {
        guard let updater = consumers.updater, let change = consumers.change(named: name),
            let keyVault = consumers.keyVault,
            let secretName = consumers.secretName, let latest = try await consumers.store?.latest(secretName),
            latest.id == observation.record?.versionId
        else {
            throw RotationFailure.notConverged(
                credential: "service connection '\(name)'", rounds: 0,
                last: "Key Vault's current version changed while this run read it")
        }
        let version = URL(string: latest.id)?.lastPathComponent ?? ""
        let value = latest.value
        var steps = updater.steps(for: [change], securing: false) { value }
        let output = context.output
        let clock = context.serviceNow
        steps.append(
            .change("Record in Key Vault secret '\(secretName)' that service connection '\(name)' holds this version") {
                guard let tags = ConnectionRecord.adding(name, to: latest.tags, at: Timestamp.format(clock)) else {
                    output.warning(
                        "The list of connections given Key Vault secret '\(secretName)' does not fit in a tag; the next run writes '\(name)' again."
                    )
                    return nil
                }
                try await keyVault.updateTags(secretName, version: version, tags: tags)
                return nil
            })
        return Plan(
            "Give service connection '\(name)' the client secret Key Vault holds (\(observation.record?.keyId ?? "?"))",
            untouched: "Service connection '\(name)' may still hold an older secret; the next run writes it again.",
            steps: steps)
    }

    /// The step that removes one old client secret; `app-secret-revoke` uses it too.
    static func removeStep(graph: GraphApplicationClient, objectId: String, label: String, password: PasswordCredential)
        -> Step
    {
        .change(
            "Remove old client secret \(password.label) (started \(DateText.of(password.startDateTime))) from application \(label)"
        ) {
            try await graph.removePassword(objectId: objectId, keyId: password.keyId)
            return nil
        }
    }
}
