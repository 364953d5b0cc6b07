/// What is retired once connections are federated on the Entra issuer, each after `graceHours`
/// counted from the conversion (``ConversionTime``): the Azure DevOps-issuer credential a moved
/// connection no longer uses, and (only with `removeSecretAfterConversion`) the client secret the
/// converted connections used, never while a holder the task can see may still have it.
struct Retirement: Sendable {
    let tools: FederationTools
    let holders: SecretHolders
    let graceHours: Int
    let removeSecret: Bool

    /// One decision, for the report: what and what happened or why not.
    struct Note: Sendable, Encodable, Equatable {
        var applicationId: String
        var credential: String
        var outcome: String
    }

    /// Steps and notes for application `appId`, whose `endpoints` are all federated on Entra.
    func plan(appId: String, endpoints: [ServiceEndpoint]) async throws -> (steps: [Step], notes: [Note]) {
        let application = try await tools.graph.application(appId)
        let credentials = try await tools.credentials.list(objectId: application.id)
        let now = tools.now()
        var steps: [Step] = []
        var notes: [Note] = []
        for endpoint in endpoints {
            let (step, note) = oldCredential(endpoint, credentials: credentials, application: application, now: now)
            steps += step.map { [$0] } ?? []
            notes += note.map { [$0] } ?? []
        }
        if removeSecret {
            let (step, secretNotes) = try await secret(
                application, endpoints: endpoints, credentials: credentials, now: now)
            steps += step.map { [$0] } ?? []
            notes += secretNotes
        }
        return (steps, notes)
    }

    private func oldCredential(
        _ endpoint: ServiceEndpoint, credentials: [FederatedIdentityCredential], application: GraphApplication,
        now: Date
    ) -> (Step?, Note?) {
        guard let issuer = endpoint.federationIssuer, let subject = endpoint.federationSubject,
            let serving = credentials.first(where: { $0.matches(issuer: issuer, subject: subject) }),
            let oldName = FederatedCredentialRecord.replaces(serving),
            let old = credentials.first(where: { $0.name == oldName && FederationIssuer($0.issuer) == .azureDevOps }),
            let oldId = old.id
        else { return (nil, nil) }
        let since = FederatedCredentialRecord.created(serving)
        guard ConversionTime.elapsed(since, graceHours: graceHours, now: now) else {
            let until = since.map { Timestamp.format($0.addingTimeInterval(Double(graceHours) * 3600)) } ?? "?"
            return (
                nil,
                Note(
                    applicationId: application.appId, credential: old.label,
                    outcome:
                        "kept until \(until) (graceHours \(graceHours) after '\(endpoint.name)' moved to the Entra issuer)"
                )
            )
        }
        let credentialsClient = tools.credentials
        let step = Step.change(
            "Remove \(old.label) from application \(application.label): service connection '\(endpoint.name)' uses the Entra issuer since \(DateText.of(since))"
        ) {
            try await credentialsClient.delete(id: oldId, objectId: application.id)
            return nil
        }
        return (
            step,
            Note(
                applicationId: application.appId, credential: old.label,
                outcome: "removed (replaced by \(serving.name))")
        )
    }

    private func secret(
        _ application: GraphApplication, endpoints: [ServiceEndpoint], credentials: [FederatedIdentityCredential],
        now: Date
    ) async throws -> (Step?, [Note]) {
        let record = try await holders.vaultRecord()
        let candidate: PasswordCredential
        switch Self.candidate(application, endpoints: endpoints, record: record) {
        case .success(let found): candidate = found
        case .failure(let why):
            return (
                nil,
                [
                    Note(
                        applicationId: application.appId, credential: "client secrets of \(application.label)",
                        outcome: why.text)
                ]
            )
        }
        var kept: [String] = []
        if let keyId = record?.keyId, keyId.lowercased() == candidate.keyId.lowercased() {
            kept.append("Key Vault secret '\(holders.secretName ?? "")' (its current version holds it)")
        }
        kept += await holders.secretConnections(of: application.appId).map(\.description)
        kept += grace(endpoints.map { ConversionTime.of($0, credentials: credentials) }, now: now)
        let label = "client secret \(candidate.label)"
        guard kept.isEmpty else {
            let outcome = "kept: held or possibly held by \(kept.joined(separator: "; "))"
            return (nil, [Note(applicationId: application.appId, credential: label, outcome: outcome)])
        }
        let step = AppSecretReconciler.removeStep(
            graph: tools.graph, objectId: application.id, label: application.label, password: candidate)
        let outcome = "removed (no holder left: the connections that used it are federated)"
        return (step, [Note(applicationId: application.appId, credential: label, outcome: outcome)])
    }

    /// Why no secret is a candidate.
    struct NoCandidate: Error {
        var text: String
    }

    /// The secret the connections used: the one Key Vault's current version records for them (by id,
    /// or by name as older records have it), else the application's only secret.
    static func candidate(
        _ application: GraphApplication, endpoints: [ServiceEndpoint],
        record: (keyId: String?, connections: Set<String>)?
    ) -> Result<PasswordCredential, NoCandidate> {
        let names = Set(endpoints.flatMap { [$0.id.lowercased(), $0.name.lowercased()] })
        let passwords = application.passwordCredentials
        if let keyId = record?.keyId, !(record?.connections ?? []).isDisjoint(with: names),
            let recorded = passwords.first(where: { $0.keyId.lowercased() == keyId.lowercased() })
        {
            return .success(recorded)
        }
        if passwords.count == 1 { return .success(passwords[0]) }
        if passwords.isEmpty {
            return .failure(NoCandidate(text: "nothing to remove: the application has no client secret"))
        }
        return .failure(
            NoCandidate(
                text:
                    "kept: the application has \(passwords.count) client secrets and nothing records which one the converted connections used; remove them with app-secret-revoke once no consumer holds them"
            ))
    }

    /// The grace period as a holder, while it lasts or when the conversion time is unknown.
    private func grace(_ since: [Date?], now: Date) -> [String] {
        if since.contains(where: { $0 == nil }) {
            return [
                "the grace period (this task cannot tell when a connection was converted: no record on its federated credential and no revert deadline)"
            ]
        }
        guard let latest = since.compactMap({ $0 }).max(),
            !ConversionTime.elapsed(latest, graceHours: graceHours, now: now)
        else { return [] }
        let until = Timestamp.format(latest.addingTimeInterval(Double(graceHours) * 3600))
        return ["the grace period (until \(until), graceHours \(graceHours))"]
    }
}
