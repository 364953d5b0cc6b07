import Synchronization

/// The plan that replaces a PAT: create (through the one uncertain-create reconciler), store in
/// Key Vault and read back. Until the store step succeeds the new token is revoked again if the
/// plan stops (a failure, a cancel); a kill in that window leaves an orphan the next run revokes.
struct PatCreatePlan: Sendable {
    let support: PatActionSupport
    let store: SecretStore
    let secretName: String
    let log: PatStepLog

    func plan(replacing old: PersonalAccessToken, known: Set<String>, rotate: Bool) -> Plan {
        let name = old.displayName
        let configuration = support.configuration
        let scope = configuration.pat.scope ?? old.scope
        let validTo = support.context.clock.now().addingTimeInterval(
            Double(configuration.lifetimes.validityDays) * 86_400)
        let untouched = "The old PAT '\(name)' (\(old.authorizationId)) is untouched and live."
        return Plan(
            rotate ? "Rotate PAT '\(name)'" : "Create a replacement for PAT '\(name)'", untouched: untouched,
            steps: [
                .change(
                    "create a replacement for PAT '\(name)' (scope \(scope), organization only, valid to \(Timestamp.format(validTo)))"
                ) {
                    try await create(name: name, scope: scope, validTo: validTo, known: known)
                },
                .change(
                    "store the new value of PAT '\(name)' in Key Vault secret '\(secretName)' and read it back",
                    secures: true
                ) {
                    try await storeNew(replacing: old)
                },
            ])
    }

    private func create(name: String, scope: String, validTo: Date, known: Set<String>) async throws -> Compensation {
        let client = support.client
        let output = support.output
        let reconciler = UncertainCreate(
            output: output, clock: support.context.clock, credential: "PAT '\(name)'", kind: "PAT")
        let new = try await reconciler.run(
            known: known,
            create: { () async -> Result<CreatedPersonalAccessToken, ServiceError> in
                do throws(ServiceError) {
                    return .success(try await client.create(displayName: name, scope: scope, validTo: validTo))
                } catch {
                    return .failure(error)
                }
            },
            list: {
                try await client.list().filter { $0.displayName.lowercased() == name.lowercased() }.map(
                    \.authorizationId)
            },
            remove: { try await client.revoke(authorizationId: $0) })
        log.set(created: new)
        output.info(
            "Created PAT '\(name)' (\(new.token.authorizationId)), valid to \(Timestamp.format(new.token.validTo)).")
        let revoke = Compensation(
            "revoke the new PAT '\(name)' (\(new.token.authorizationId))",
            leftBehind: "PAT '\(name)', authorization id \(new.token.authorizationId), is live and stored nowhere"
        ) {
            try await client.revoke(authorizationId: new.token.authorizationId)
            output.info("Revoked the new PAT '\(name)' (\(new.token.authorizationId)); it was never stored.")
        }
        return store.guarding(
            revoke, secretName: secretName, value: new.value,
            credential: "the new PAT '\(name)' (\(new.token.authorizationId))")
    }

    private func storeNew(replacing old: PersonalAccessToken) async throws -> Compensation? {
        guard let new = log.created else { throw InternalError("the store step ran without a new token") }
        let stored = try await store.storeAndVerify(
            secretName, value: new.value, contentType: PatKeyVaultRecord.contentType, expires: new.token.validTo,
            tags: PatKeyVaultRecord.tags(for: new.token, replacing: old))
        log.set(stored: stored)
        support.output.info("Stored PAT '\(new.token.displayName)' (\(new.token.authorizationId)) as \(stored.id).")
        return nil
    }
}

/// What the steps of one plan produced, read after the plan ran (steps are closures).
final class PatStepLog: ReconcileLog {
    private let state = Mutex<(created: CreatedPersonalAccessToken?, stored: KeyVaultClient.SecretBundle?)>((nil, nil))

    func set(created: CreatedPersonalAccessToken) { state.withLock { $0.created = created } }
    func set(stored: KeyVaultClient.SecretBundle) { state.withLock { $0.stored = stored } }
    var created: CreatedPersonalAccessToken? { state.withLock { $0.created } }
    var stored: KeyVaultClient.SecretBundle? { state.withLock { $0.stored } }
}
