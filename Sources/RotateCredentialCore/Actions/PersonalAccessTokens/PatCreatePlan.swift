/// The plan that replaces a PAT: create (through the one uncertain-create reconciler), store in
/// Key Vault and read back. Until the store step succeeds the new token is revoked again if the
/// plan stops (a failure, a cancel); a kill in that window leaves an orphan inside the run's
/// recorded intent, which the next run revokes.
struct PatCreatePlan: Sendable {
    let support: PatActionSupport
    let store: SecretStore
    let secretName: String

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
                .acting(
                    "create a replacement for PAT '\(name)' (scope \(scope), organization only, valid to \(Timestamp.format(validTo)))",
                    needs: [.managePats(owner: support.client.credential)]
                ) { _ in
                    try await create(name: name, scope: scope, validTo: validTo, known: known)
                },
                .acting(
                    "store the new value of PAT '\(name)' in Key Vault secret '\(secretName)' and read it back",
                    secures: true, needs: [.writeSecret(name: secretName, vault: store.keyVault)]
                ) { progress in
                    try await storeNew(progress, replacing: old)
                },
            ])
    }

    private func create(name: String, scope: String, validTo: Date, known: Set<String>) async throws -> StepResult {
        let client = support.client
        let output = support.output
        let reconciler = UncertainCreate(
            output: output, clock: support.context.clock, credential: "PAT '\(name)'", kind: "PAT")
        let (new, doubted) = try await reconciler.run(
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
        let id = new.token.authorizationId
        output.info("Created PAT '\(name)' (\(id)), valid to \(Timestamp.format(new.token.validTo)).")
        let revoke = Compensation(
            "revoke the new PAT '\(name)' (\(id))",
            leftBehind: "PAT '\(name)', authorization id \(id), is live and stored nowhere", takesBack: id
        ) {
            try await client.revoke(authorizationId: id)
            output.info("Revoked the new PAT '\(name)' (\(id)); it was never stored.")
        }
        let guarded = store.guarding(
            revoke, secretName: secretName, value: new.value, credential: "the new PAT '\(name)' (\(id))")
        return StepResult(effects: [.createdToken(new)] + (doubted ? [.doubtedCreate] : []), compensation: guarded)
    }

    private func storeNew(_ progress: PlanProgress, replacing old: PersonalAccessToken) async throws -> StepResult {
        guard let new = progress.createdToken else { throw InternalError("the store step ran without a new token") }
        let stored = try await store.storeAndVerify(
            secretName, value: new.value, contentType: PatKeyVaultRecord.contentType, expires: new.token.validTo,
            tags: PatKeyVaultRecord.tags(for: new.token, replacing: old))
        support.output.info("Stored PAT '\(new.token.displayName)' (\(new.token.authorizationId)) as \(stored.id).")
        return StepResult(effects: [.stored(stored)])
    }
}
