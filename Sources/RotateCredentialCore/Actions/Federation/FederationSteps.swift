/// The steps of one connection's conversion plans, each reporting what it did as typed effects
/// (``StepEffect``) that later steps of the plan and the loop read:
///
/// - ``ask()``: a conversion request; Azure DevOps converts at once when it can federate the
///   principal itself (then reverted if a later step of the plan fails), otherwise it changes
///   nothing and states the issuer and subject ("Automatic authentication conversion failed. …");
/// - ``ensureCredential(replaces:)``: the application's federated credential for them (created only
///   when missing, read back);
/// - ``convert(waiting:)``: the conversion, now that the credential exists, waiting while Azure
///   DevOps finishes it in the background (``ConversionCompletion``); reverted if a later step fails;
/// - ``save()``: moves a connection from the Azure DevOps issuer to Entra's. Its token requests fail
///   from this save until the new credential exists (the new subject exists only once Azure DevOps
///   assigns it), so the credential is created in the same plan, right after, and the gap measured;
/// - ``readBack()`` and ``prove()``: scheme, issuer, subject, `isReady`, `operationStatus`; the job's
///   OIDC token for the connection, exchanged at Entra.
struct FederationSteps: Sendable {
    let tools: FederationTools
    /// The connection as observed before the plan.
    let endpoint: ServiceEndpoint
    let application: GraphApplication

    static let federated = "WorkloadIdentityFederation"
    static let secret = "ServicePrincipal"

    private var name: String { endpoint.name }

    /// What writing the connection needs (a dry run asks for it: ``AccessCheck``).
    private var administersConnection: [AccessNeed] {
        [.administerConnection(endpoint, client: tools.connections)]
    }

    /// What adding or removing the application's federated credentials needs.
    private var changesApplication: [AccessNeed] {
        [.changeApplication(objectId: application.id, label: application.label, identity: tools.graph.credential)]
    }

    func ask() -> Step {
        let (tools, endpoint, steps) = (self.tools, self.endpoint, self)
        return .acting(
            "Ask Azure DevOps for the federation issuer and subject of service connection '\(name)' (a conversion request: it converts at once when Azure DevOps can federate the principal itself, otherwise it changes nothing and states them)",
            needs: administersConnection
        ) { _ in
            let answer = try await tools.convert(endpoint) {
                $0.isWorkloadIdentityFederation || $0.federationSubject != nil
            }
            let state = ConversionState.of(answer)
            if case .busy(let message) = state { throw FederationFailure.busy(name: endpoint.name, message: message) }
            guard let issuer = answer.federationIssuer, let subject = answer.federationSubject else {
                throw answer.isWorkloadIdentityFederation
                    ? FederationFailure.readBack(
                        name: endpoint.name,
                        detail: "the conversion answered scheme '\(answer.scheme)' without an issuer and subject")
                    : FederationFailure.notStated(
                        name: endpoint.name, detail: "the connection states no issuer and subject")
            }
            guard state == .converted else {
                tools.output.info(
                    state == .converting
                        ? "Azure DevOps accepted the conversion of '\(endpoint.name)' and finishes it in the background once Entra honours the federated credential for issuer \(issuer) and subject \(subject)."
                        : "Azure DevOps cannot federate the principal of '\(endpoint.name)' itself and left it unchanged (still on its secret); it states issuer \(issuer) and subject \(subject)."
                )
                let made = state == .converting ? await steps.madeByAzureDevOps(issuer: issuer, subject: subject) : []
                return StepResult(effects: [.federationStated(answer)] + made)
            }
            tools.output.info(
                "Azure DevOps converted '\(endpoint.name)' and federated its principal itself (issuer \(issuer), subject \(subject))."
            )
            let made = await steps.madeByAzureDevOps(issuer: issuer, subject: subject)
            return StepResult(
                effects: [.converted(answer)] + made, compensation: Self.revert(answer, tools: tools))
        }
    }

    /// The credential Azure DevOps created when it federated the principal itself, as found. A read
    /// that fails reports nothing: the loop then ensures the credential itself.
    private func madeByAzureDevOps(issuer: String, subject: String) async -> [StepEffect] {
        let listed = try? await tools.credentials.list(objectId: application.id)
        return (listed ?? []).filter { $0.matches(issuer: issuer, subject: subject) }.prefix(1).map {
            .credentialFound($0)
        }
    }

    /// Ensures the credential for the issuer and subject the connection states (as the plan's
    /// earlier steps left it); after a save onto the Entra issuer, reports how long the gap lasted.
    func ensureCredential(replaces: String?) -> Step {
        let (tools, endpoint, application) = (self.tools, self.endpoint, self.application)
        return .acting(
            "Ensure application \(application.label) has the federated credential (audience \(FederatedIdentityCredential.entraAudience)) for the issuer and subject Azure DevOps states for '\(name)'",
            needs: changesApplication
        ) { progress in
            let current = progress.connection ?? endpoint
            guard let issuer = current.federationIssuer, let subject = current.federationSubject else {
                throw FederationFailure.notStated(name: endpoint.name, detail: "no issuer and subject learned")
            }
            let ensured = try await CredentialEnsurer(tools: tools).ensure(
                objectId: application.id, appLabel: application.label, issuer: issuer, subject: subject,
                endpoint: current, replaces: replaces)
            var effects: [StepEffect] = [
                ensured.created ? .credentialAdded(ensured.credential) : .credentialFound(ensured.credential)
            ]
            if let moved = progress.issuerMovedAt {
                effects.append(.gapEnded(seconds: tools.now().timeIntervalSince(moved)))
            }
            return StepResult(effects: effects)
        }
    }

    /// Converts (or, `waiting`, waits for Azure DevOps to finish converting in the background).
    func convert(waiting: Bool) -> Step {
        let (tools, endpoint) = (self.tools, self.endpoint)
        return .acting(
            waiting
                ? "Wait for Azure DevOps to finish converting service connection '\(name)' to workload identity federation in the background (sending the conversion again if its test sign-in failed)"
                : "Convert service connection '\(name)' to workload identity federation (its federated credential is already in place)",
            needs: administersConnection
        ) { _ in
            let completion = ConversionCompletion(tools: tools, timeoutSeconds: tools.proof.timeoutSeconds)
            let answer = try await completion.complete(
                endpoint, issuer: endpoint.federationIssuer ?? "(not stated)",
                subject: endpoint.federationSubject ?? "(not stated)")
            return StepResult(effects: [.converted(answer)], compensation: Self.revert(answer, tools: tools))
        }
    }

    func save() -> Step {
        let (tools, endpoint, application) = (self.tools, self.endpoint, self.application)
        return .acting(
            "Save service connection '\(name)' so Azure DevOps gives it the Entra issuer (its token requests fail from this save until the new federated credential exists: the new subject is only known once Azure DevOps assigns it)",
            needs: administersConnection
        ) { _ in
            _ = try await tools.connections.update(endpoint)
            let started = tools.now()
            guard let current = try await tools.connections.endpoint(id: endpoint.id),
                let issuer = current.federationIssuer, let subject = current.federationSubject
            else {
                throw FederationFailure.readBack(name: endpoint.name, detail: "no issuer and subject after the save")
            }
            guard FederationIssuer(issuer) == .entra else {
                throw FederationFailure.issuerNotMoved(name: endpoint.name, issuer: issuer)
            }
            let again = Compensation(
                "create the federated credential for the new issuer of '\(endpoint.name)' again",
                leftBehind:
                    "service connection '\(endpoint.name)' now uses issuer \(issuer) and subject \(subject), and application \(application.label) has no federated credential for them: pipelines using it fail until one is created (audience \(FederatedIdentityCredential.entraAudience))"
            ) {
                _ = try await CredentialEnsurer(tools: tools).ensure(
                    objectId: application.id, appLabel: application.label, issuer: issuer, subject: subject,
                    endpoint: current, replaces: nil)
            }
            return StepResult(effects: [.issuerMoved(current, at: started)], compensation: again)
        }
    }

    /// Reads the connection back and checks it is federated on the issuer and subject the plan's
    /// earlier steps left.
    func readBack() -> Step {
        let (tools, endpoint) = (self.tools, self.endpoint)
        return .acting(
            "Read back service connection '\(name)': scheme, issuer, subject, isReady, operationStatus", effect: .read
        ) { progress in
            let expected = progress.connection ?? endpoint
            guard let current = try await tools.connections.endpoint(id: endpoint.id) else {
                throw RotationFailure.connectionUnreadable(name: endpoint.name, id: endpoint.id)
            }
            try Self.check(current, expected: expected)
            return StepResult(effects: [.connectionRead(current)])
        }
    }

    /// Proves the connection as the plan's earlier steps left it (secures a conversion: no revert after it).
    func prove() -> Step {
        let (tools, endpoint) = (self.tools, self.endpoint)
        return .acting(
            "Prove that service connection '\(name)' works: the job's OIDC token for it, exchanged at Entra",
            effect: .read, secures: true
        ) { progress in
            let text = try await tools.proof.verify(progress.connection ?? endpoint)
            tools.output.info("Service connection '\(endpoint.name)': \(text)")
            return StepResult(effects: [.proven(text)])
        }
    }

    /// Removes `old`, which the connection no longer uses (it moved to the Entra issuer `since`).
    func removeCredential(_ old: FederatedIdentityCredential, since: Date?) -> Step {
        let (credentials, objectId) = (tools.credentials, application.id)
        return .acting(
            "Remove \(old.label) from application \(application.label): service connection '\(name)' uses the Entra issuer since \(DateText.of(since))",
            needs: changesApplication
        ) { _ in
            try await credentials.delete(id: old.id ?? "", objectId: objectId)
            return StepResult(effects: [.removedCredential(old)])
        }
    }

    /// Throws unless `current` is federated, ready, on the issuer and subject of `expected`.
    private static func check(_ current: ServiceEndpoint, expected: ServiceEndpoint) throws {
        let (issuer, subject) = (expected.federationIssuer, expected.federationSubject)
        guard current.isWorkloadIdentityFederation, current.federationIssuer == issuer,
            current.federationSubject == subject
        else {
            throw FederationFailure.readBack(
                name: current.name,
                detail:
                    "scheme '\(current.scheme)', issuer \(current.federationIssuer ?? "none"), subject \(current.federationSubject ?? "none"); expected \(Self.federated), \(issuer ?? "?"), \(subject ?? "?")"
            )
        }
        if current.isReady == false
            || ["failed", "converting_scheme_failed"].contains(current.operationState?.lowercased() ?? "")
        {
            throw RotationFailure.connectionNotReady(
                name: current.name, isReady: current.isReady == true, state: current.operationState ?? "missing",
                detail: current.operationMessage ?? "")
        }
    }

    /// Undoes a conversion while Azure DevOps still can (its revert window), reported as
    /// ``StepEffect/tookBack(_:)`` with the connection's id.
    private static func revert(_ converted: ServiceEndpoint, tools: FederationTools) -> Compensation {
        let deadline = converted.revertSchemeDeadline.map { " before \(Timestamp.format($0))" } ?? " within seven days"
        return Compensation(
            "revert service connection '\(converted.name)' to its client secret (ConvertAuthenticationScheme back to \(Self.secret))",
            leftBehind:
                "service connection '\(converted.name)' is federated but not proven to work; revert it\(deadline) in Project settings > Service connections > \(converted.name) > Revert conversion, or create the federated credential it states",
            takesBack: converted.id
        ) {
            let current = (try? await tools.connections.endpoint(id: converted.id)).flatMap { $0 } ?? converted
            _ = try await tools.connections.convertAuthenticationScheme(current, to: Self.secret)
        }
    }
}
