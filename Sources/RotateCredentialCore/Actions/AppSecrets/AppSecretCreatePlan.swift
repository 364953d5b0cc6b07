/// The plan that adds a client secret: add (through the one uncertain-create reconciler), prove
/// it with several token requests, store it in Key Vault and read it back; without a vault, write
/// it into the connections instead. Until it is stored the new secret is removed again if the
/// plan stops (a failure, a cancel); a kill in that window leaves an orphan the next run removes.
struct AppSecretCreatePlan: Sendable {
    let consumers: AppSecretConsumers
    let observation: AppSecretObservation
    let policy: AppSecretPolicy
    let log: CreatedSecretLog

    private var context: ActionContext { consumers.context }

    func plan() -> Plan {
        let options = context.configuration.clientSecret
        let end = context.clock.now().addingTimeInterval(Double(context.configuration.lifetimes.validityDays) * 86_400)
        var steps: [Step] = [
            .change(
                "Add a client secret '\(policy.displayName)' to application \(observation.label), expiring \(Timestamp.format(end))"
            ) {
                try await add(end: end)
            }
        ]
        if let tenant = context.configuration.identities.azure?.tenantId {
            let wait = SecretReplicationWait(
                tokens: EntraTokenClient(http: context.services.http, urls: context.services.urls),
                clock: context.clock,
                output: context.output, timeoutSeconds: options.replicationTimeoutSeconds,
                cancellation: context.cancellation)
            let appId = observation.appId
            let log = self.log
            steps.append(
                .read(
                    "Wait until the new secret works (\(SecretReplicationWait.acceptedInARow) token requests in a row over \(SecretReplicationWait.provenSeconds) s; up to \(options.replicationTimeoutSeconds) s)"
                ) {
                    try await wait.waitUntilWorks(tenantId: tenant, appId: appId, secret: try log.secret())
                })
        } else {
            context.output.warning(
                "The Azure identity names no tenant, so the new secret cannot be tried before it is stored.")
        }
        if let store = consumers.store, let secretName = consumers.secretName {
            steps.append(
                .change(
                    "Store the new secret in Key Vault secret '\(secretName)' (\(store.vaultURL.absoluteString)) and read it back",
                    secures: true
                ) {
                    try await self.store(in: store, secretName: secretName, end: end)
                })
        } else if let updater = consumers.updater {
            let log = self.log
            steps += updater.steps(for: consumers.changes, securing: true) { try log.secret() }
        }
        return Plan(
            "\(policy.removesOld ? "Rotate" : "Create") the client secret of application \(observation.label)",
            untouched:
                "No old client secret of application \(observation.label) was removed; the secrets it had before still work.",
            steps: steps)
    }

    private func add(end: Date) async throws -> Compensation {
        let graph = consumers.graph
        let objectId = observation.objectId
        let displayName = policy.displayName
        let removal = CreatedSecretRemoval(graph: graph, clock: context.clock, output: context.output)
        let reconciler = UncertainCreate(
            output: context.output, clock: context.clock, credential: "client secret '\(displayName)'", kind: "secret",
            settleSeconds: CreatedSecretRemoval.settleSeconds)
        let new = try await reconciler.run(
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
        log.set(created: new)
        context.output.info("Added client secret \(new.credential.label).")
        let keyId = new.credential.keyId
        let label = "client secret keyId \(keyId) ('\(displayName)') of application \(observation.label)"
        let log = self.log
        let remove = Compensation(
            "remove the new client secret keyId \(keyId) from application \(observation.label)",
            leftBehind: "\(label) is live and stored nowhere"
        ) {
            try await removal.remove(objectId: objectId, keyId: keyId, label: label)
            log.setRemoved()
        }
        guard let store = consumers.store, let secretName = consumers.secretName else { return remove }
        return store.guarding(remove, secretName: secretName, value: new.secret, credential: "the new \(label)")
    }

    private func store(in store: SecretStore, secretName: String, end: Date) async throws -> Compensation? {
        guard let new = log.created else {
            throw InternalError("the store step ran without a new client secret")
        }
        var tags = [
            "applicationId": observation.appId, "keyId": new.credential.keyId, "displayName": policy.displayName,
            "createdBy": "rotate-credential",
        ]
        if let replaces = observation.record?.keyId { tags["replaces"] = replaces }
        let bundle = try await store.storeAndVerify(
            secretName, value: new.secret, contentType: AppSecretReconciler.contentType,
            expires: new.credential.endDateTime ?? end, tags: tags)
        log.set(stored: bundle.id)
        return nil
    }
}
