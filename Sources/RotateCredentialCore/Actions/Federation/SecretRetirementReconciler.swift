/// `removeSecretAfterConversion` for one application on the one loop: observe (the application's
/// secrets, Key Vault's current version, the task's record), decide
/// (``SecretRetirementDecision``), look through every project before a removal, and take the
/// application's lease in the record before removing anything, as the rotations do.
struct SecretRetirementReconciler: ReconcileSubject {
    typealias Explanation = SecretRetirementExplanation
    let tools: FederationTools
    let policy: SecretRetirementPolicy
    /// The connections of the application that this run converted or found federated.
    let connections: [FederatedConnection]
    let store: SecretStore?
    let secretName: String?
    let keeper: RecordKeeper?
    let scanner: BystanderScanner
    private var lastEffects: [StepEffect] = []
    /// The secrets this run removed, until a plain read no longer lists them.
    private var writes = AppSecretWrites()
    /// Whether the lease was taken (and the application observed afresh if another run held it).
    private var prepared = false
    /// Plans before the loop gives up: the look through every project and the removal, with room for one more.
    static let maxRounds = 3

    init(
        tools: FederationTools, policy: SecretRetirementPolicy, connections: [FederatedConnection], store: SecretStore?,
        secretName: String?, keeper: RecordKeeper?, scanner: BystanderScanner
    ) {
        self.tools = tools
        self.policy = policy
        self.connections = connections
        self.store = store
        self.secretName = secretName
        self.keeper = keeper
        self.scanner = scanner
    }

    var context: ActionContext { tools.context }

    func credential(_ observation: SecretRetirementObservation) -> String {
        "the client secret of application \(observation.application.label)"
    }

    /// Reads the application, Key Vault's current version and the record.
    func observe(appId: String) async throws -> SecretRetirementObservation {
        let application = try await tools.graph.application(appId)
        var vault: VaultVersion?
        if let store, let secretName, let latest = try await store.latest(secretName) {
            vault = VaultVersion(
                secretName: secretName, keyId: latest.tags["keyId"],
                connections: ConnectionRecord.names(in: latest.tags))
        }
        return SecretRetirementObservation(
            application: application, connections: connections, vault: vault, record: await keeper?.current)
    }

    func record(
        _ decision: SecretRetirementDecision, result: PlanOutcome, into outcome: inout SecretRetirementOutcome
    ) {
        outcome.record(decision, result: result)
    }

    mutating func remember(_ decision: SecretRetirementDecision, result: PlanOutcome) {
        lastEffects = result.effects
        for case .removedSecret(let secret) in result.effects { writes.remove(secret.keyId) }
    }

    /// Reads until Graph no longer lists the secrets this run removed (its reads lag its writes),
    /// so that the next run, however soon, does not remove them again; a warning when it still
    /// does after ``GraphReadLag/settleSeconds``.
    mutating func settle(_ observation: SecretRetirementObservation) async throws -> SecretRetirementObservation? {
        guard !writes.isEmpty else { return nil }
        let pending = writes
        let application = try await GraphReadLag(graph: tools.graph, context: context).read(
            objectId: observation.application.id, within: GraphReadLag.settleSeconds, until: pending.isShown(in:))
        writes = AppSecretWrites()
        if !pending.isShown(in: application.passwordCredentials) {
            context.output.warning(
                "Graph still lists the client secret this run removed from application \(observation.application.label) after \(Int(GraphReadLag.settleSeconds)) s (its reads lag its writes); the next run checks the application again."
            )
        }
        return nil
    }

    func observeAgain(_ observation: SecretRetirementObservation) async throws -> SecretRetirementObservation {
        observation.applying(lastEffects)
    }

    /// Takes the application's lease before the removal; observes afresh when another run held it
    /// meanwhile (it may have changed the secrets or the record), else lays the record over.
    mutating func prepareToChange(_ observation: SecretRetirementObservation) async throws
        -> SecretRetirementObservation?
    {
        guard let keeper else { return nil }
        defer { prepared = true }
        let preparation = try await keeper.prepare(
            intending: [], observed: observation.record, firstTime: !prepared)
        return try await preparation.next(
            after: observation, lay: { $0.record = $1 },
            observeAgain: {
                context.output.info(
                    "Another run held the lease since this run looked; reading application \(observation.application.label) again."
                )
                return try await observe(appId: observation.application.appId)
            })
    }

    /// What a dry run assumes: the look through the projects ran (a read), the removal would remove.
    func simulate(_ decision: SecretRetirementDecision, observation: SecretRetirementObservation)
        -> SecretRetirementObservation?
    {
        switch decision {
        case .findHolders: return observation.applying(lastEffects)
        case .remove(let secret): return observation.applying([.removedSecret(secret)])
        case .converged: return nil
        }
    }

    func plan(for decision: SecretRetirementDecision, observation: SecretRetirementObservation) -> Plan {
        let application = observation.application
        switch decision {
        case .findHolders(let secret):
            return Plan(
                "Look for service connections that may still hold client secret \(secret.label) of application \(application.label)",
                steps: [findHolders(observation)])
        case .remove(let secret):
            return Plan(
                "Remove the client secret the converted connections of application \(application.label) used",
                untouched: "Client secret \(secret.label) is still live.",
                steps: [
                    AppSecretReconciler.removeStep(
                        graph: tools.graph, objectId: application.id, label: application.label, password: secret)
                ])
        case .converged:
            return Plan("Nothing to do", steps: [])
        }
    }

    /// Lists every secret-based connection of the application in every project (a read, done in
    /// dry runs too) and records the ones the task does not write with their first sight.
    /// A dry run converted nothing: the listed connections it would convert first are not counted.
    private func findHolders(_ observation: SecretRetirementObservation) -> Step {
        let (scanner, keeper, now) = (self.scanner, self.keeper, context.serviceNow)
        let appId = observation.application.appId
        let record = observation.record ?? CredentialRecord(scope: RecordStore.application(appId: appId))
        let converting = Set(context.configuration.dryRun ? connections.map { $0.id.lowercased() } : [])
        return .acting(
            "List the secret-based service connections of application \(appId) in every project", effect: .inspect
        ) { _ in
            var scan = await scanner.scan(appId: appId, record: record, written: [], now: now)
            scan.found.removeAll { converting.contains($0.id.lowercased()) }
            scan.present.subtract(converting)
            await keeper?.recordBystanders(scan.found)
            return StepResult(effects: [.foundBystanders(scan)])
        }
    }
}
