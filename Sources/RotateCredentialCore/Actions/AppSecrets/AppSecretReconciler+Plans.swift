/// The plans of ``AppSecretReconciler``'s decisions other than the create
/// (``AppSecretCreatePlan``): connection writes, the look for bystanders and removals.
extension AppSecretReconciler {
    /// Gives `connections` Key Vault's current value (the one this run stored, or read now).
    func connectionPlan(_ connections: [ConnectionRef], observation: AppSecretObservation) async throws -> Plan {
        guard let writer = consumers.writer, let keyId = observation.stored?.keyId else {
            preconditionFailure("connections are brought up to date only from a Key Vault record")
        }
        let subject = self
        return Plan(
            "Give the listed service connection(s) the client secret Key Vault holds (keyId \(keyId))",
            untouched: "Connections not reported as written may still hold an older secret; the next run writes them.",
            steps: [
                writer.step(consumers.changes(for: connections), secures: false) { _ in
                    (try await subject.currentValue(observation), keyId)
                }
            ])
    }

    /// The value of Key Vault's current version: the one this run stored, or read again (and
    /// checked to be the version observed).
    func currentValue(_ observation: AppSecretObservation) async throws -> Secret {
        if let storedValue, stored?.versionId == observation.stored?.versionId { return storedValue }
        guard let store = consumers.store, let secretName = consumers.secretName,
            let latest = try await store.latest(secretName),
            KeyVaultClient.sameSecretId(latest.id, observation.stored?.versionId ?? "")
        else {
            throw RotationFailure.vaultChanged(secretName: consumers.secretName ?? "")
        }
        return latest.value
    }

    /// Looks through every project for connections the task does not write (a read, done in
    /// dry runs too) and records them with their first sight.
    func bystanderPlan(_ observation: AppSecretObservation) -> Plan {
        let scanner = consumers.scanner
        let keeper = consumers.keeper
        let now = context.serviceNow
        let output = context.output
        return Plan(
            "Look for service connections of application \(observation.label) that this task does not write",
            steps: [
                .acting(
                    "List the secret-based service connections of application \(observation.appId) in every project",
                    effect: .inspect
                ) { _ in
                    let scan = await scanner.scan(
                        appId: observation.appId, record: observation.record, written: observation.connections, now: now
                    )
                    await keeper?.recordBystanders(scan.found)
                    for bystander in scan.found {
                        output.warning(
                            "Service connection \(bystander.label) uses a client secret of application \(observation.label) but is not in serviceConnections: this task cannot know which secret it holds, so it keeps every secret older than \(Timestamp.format(bystander.firstSeen)) (when it first saw it). List it in serviceConnections, or convert it to workload identity federation (service-connection-convert)."
                        )
                    }
                    for place in scan.unreadable {
                        output.warning(
                            "Not every service connection could be looked at (\(place)); one there may hold a client secret of application \(observation.label), so no old secret is removed until it can be read (give the identity the Reader role on the organization's service connections and vso.project)."
                        )
                    }
                    return StepResult(effects: [.foundBystanders(scan)])
                }
            ])
    }

    /// Removes `passwords`, one step each: orphans through ``CreatedSecretRemoval`` (Graph may
    /// still be replicating them), old ones directly.
    func removalPlan(_ passwords: [PasswordCredential], observation: AppSecretObservation, orphans: Bool) -> Plan {
        let graph = consumers.graph
        let removal = CreatedSecretRemoval(graph: graph, clock: context.clock, output: context.output)
        let objectId = observation.objectId
        let steps = passwords.map { password in
            let label = "client secret \(password.label) of application \(observation.label)"
            let why =
                orphans
                ? "no consumer holds it and its value was never stored (an interrupted run of this task added it)"
                : "started \(DateText.of(password.startDateTime)), no longer held"
            return Step.acting("Remove \(label): \(why)", needs: [consumers.changesApplication(observation)]) { _ in
                if orphans {
                    try await removal.remove(objectId: objectId, keyId: password.keyId, label: label)
                } else {
                    try await graph.removePassword(objectId: objectId, keyId: password.keyId)
                }
                return StepResult(effects: [.removedSecret(password)])
            }
        }
        return Plan(
            orphans
                ? "Remove orphaned client secrets of application \(observation.label)"
                : "Remove old client secrets of application \(observation.label)",
            untouched: "Client secrets not reported as removed are still live.", steps: steps)
    }
}

extension AppSecretReconciler {
    /// The step that removes one old client secret (the conversion's retirement uses it too).
    static func removeStep(graph: GraphApplicationClient, objectId: String, label: String, password: PasswordCredential)
        -> Step
    {
        .acting(
            "Remove old client secret \(password.label) (started \(DateText.of(password.startDateTime))) from application \(label)",
            needs: [.changeApplication(objectId: objectId, label: label, identity: graph.credential)]
        ) { _ in
            try await graph.removePassword(objectId: objectId, keyId: password.keyId)
            return StepResult(effects: [.removedSecret(password)])
        }
    }
}
