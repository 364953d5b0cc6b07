/// The plan that adds a client secret: add (through the one uncertain-create reconciler), prove
/// it with several token requests, store it in Key Vault and read it back; without a vault, write
/// it into the connections instead. Until it is stored the new secret is removed again if the
/// plan stops (a failure, a cancel); a kill in that window leaves an orphan inside the run's
/// recorded intent, which the next run removes.
struct AppSecretCreatePlan: Sendable {
    let consumers: AppSecretConsumers
    let observation: AppSecretObservation
    let policy: AppSecretPolicy

    private var context: ActionContext { consumers.context }

    func plan() -> Plan {
        let end = context.clock.now().addingTimeInterval(Double(context.configuration.lifetimes.validityDays) * 86_400)
        var steps: [Step] = [
            .acting(
                "Add a client secret '\(policy.displayName)' to application \(observation.label), expiring \(Timestamp.format(end))",
                needs: [consumers.changesApplication(observation)]
            ) { _ in
                try await add(end: end)
            }
        ]
        steps += proof()
        if let store = consumers.store, let secretName = consumers.secretName {
            steps.append(
                .acting(
                    "Store the new secret in Key Vault secret '\(secretName)' (\(store.vaultURL.absoluteString)) and read it back",
                    secures: true, needs: [.writeSecret(name: secretName, vault: store.keyVault)]
                ) { progress in
                    try await self.store(progress, in: store, secretName: secretName, end: end)
                })
        } else if let writer = consumers.writer {
            steps.append(writer.step(consumers.changes, secures: true) { try Self.new($0) })
        }
        return Plan(
            "\(policy.removesOld ? "Rotate" : "Create") the client secret of application \(observation.label)",
            untouched:
                "No old client secret of application \(observation.label) was removed; the secrets it had before still work.",
            steps: steps)
    }

    /// The value and keyId the add step received.
    private static func new(_ progress: PlanProgress) throws -> (secret: Secret, keyId: String) {
        guard let new = progress.createdSecret else {
            throw InternalError("a step that writes the new client secret ran before it was created")
        }
        return (new.secret, new.credential.keyId)
    }

    /// The wait until Entra accepts the new secret reliably (when the identity names a tenant).
    private func proof() -> [Step] {
        let options = context.configuration.clientSecret
        guard let tenant = context.configuration.identities.azure?.tenantId else {
            context.output.warning(
                "The Azure identity names no tenant, so the new secret cannot be tried before it is stored.")
            return []
        }
        let wait = SecretReplicationWait(
            tokens: EntraTokenClient(http: context.services.http, urls: context.services.urls), clock: context.clock,
            output: context.output, timeoutSeconds: options.replicationTimeoutSeconds,
            cancellation: context.cancellation)
        let appId = observation.appId
        return [
            .acting(
                "Wait until the new secret works (\(SecretReplicationWait.acceptedInARow) token requests in a row over \(SecretReplicationWait.provenSeconds) s; up to \(options.replicationTimeoutSeconds) s)",
                effect: .read
            ) { progress in
                try await wait.waitUntilWorks(tenantId: tenant, appId: appId, secret: try Self.new(progress).secret)
                return StepResult()
            }
        ]
    }

    private func add(end: Date) async throws -> StepResult {
        let graph = consumers.graph
        let objectId = observation.objectId
        let displayName = policy.displayName
        let removal = CreatedSecretRemoval(graph: graph, clock: context.clock, output: context.output)
        let reconciler = UncertainCreate(
            output: context.output, clock: context.clock, credential: "client secret '\(displayName)'", kind: "secret",
            settleSeconds: CreatedSecretRemoval.settleSeconds)
        let (new, doubted) = try await reconciler.run(
            known: Set(observation.passwords.map(\.keyId)),
            create: { () async -> Result<NewPasswordCredential, ServiceError> in
                do throws(ServiceError) {
                    return .success(
                        try await graph.addPassword(objectId: objectId, displayName: displayName, endDateTime: end))
                } catch {
                    return .failure(error)
                }
            },
            list: {
                try await graph.application(objectId: objectId).passwordCredentials.filter {
                    $0.displayName == displayName
                }.map(\.keyId)
            },
            remove: { try await removal.remove(objectId: objectId, keyId: $0, label: "client secret keyId \($0)") })
        context.output.info("Added client secret \(new.credential.label).")
        let keyId = new.credential.keyId
        let label = "client secret keyId \(keyId) ('\(displayName)') of application \(observation.label)"
        let remove = Compensation(
            "remove the new client secret keyId \(keyId) from application \(observation.label)",
            leftBehind: "\(label) is live and stored nowhere", takesBack: keyId
        ) {
            try await removal.remove(objectId: objectId, keyId: keyId, label: label)
        }
        let effects: [StepEffect] = [.createdSecret(new)] + (doubted ? [.doubtedCreate] : [])
        guard let store = consumers.store, let secretName = consumers.secretName else {
            return StepResult(effects: effects, compensation: remove)
        }
        let guarded = store.guarding(remove, secretName: secretName, value: new.secret, credential: "the new \(label)")
        return StepResult(effects: effects, compensation: guarded)
    }

    private func store(_ progress: PlanProgress, in store: SecretStore, secretName: String, end: Date) async throws
        -> StepResult
    {
        guard let new = progress.createdSecret else {
            throw InternalError("the store step ran without a new client secret")
        }
        var tags = [
            "applicationId": observation.appId, "keyId": new.credential.keyId, "displayName": policy.displayName,
            "createdBy": "rotate-credential",
        ]
        if let replaces = observation.stored?.keyId { tags["replaces"] = replaces }
        let bundle = try await store.storeAndVerify(
            secretName, value: new.secret, contentType: AppSecretReconciler.contentType,
            expires: new.credential.endDateTime ?? end, tags: tags)
        return StepResult(effects: [.stored(bundle)])
    }
}
