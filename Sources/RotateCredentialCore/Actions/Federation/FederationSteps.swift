/// The steps that federate one connection, in the order that keeps it working:
///
/// 1. Learn the issuer and subject from Azure DevOps. A conversion request either converts at once
///    (Azure DevOps federates a principal it manages itself) or changes nothing and states them
///    ("Automatic authentication conversion failed. Your service connection was not modified. …").
/// 2. Ensure the application's federated credential for them (created only when missing, read back).
/// 3. Convert (the same request, now that the credential exists): the connection goes from its secret
///    to federation with its credential already in place, so there is no moment without a working
///    credential. Azure DevOps signs in with the new scheme first and, while Entra does not honour the
///    credential yet, finishes in the background (``ConversionCompletion``). Undone (reverted to the
///    secret) when a later step fails.
/// 4. Read it back: scheme, issuer, subject, `isReady`, `operationStatus`.
/// 5. Prove it: the job's OIDC token for it, exchanged at Entra (secures the conversion).
///
/// Moving a connection from the Azure DevOps issuer to Entra's has a gap the protocol forces: the
/// new subject exists only once Azure DevOps assigns it on save, and from that save until the new
/// credential is created (seconds) the connection's token requests fail. The plan says so and
/// measures it.
struct FederationSteps: Sendable {
    let tools: FederationTools
    let objectId: String
    let appLabel: String

    static let federated = "WorkloadIdentityFederation"
    static let secret = "ServicePrincipal"

    /// Steps for a client-secret connection.
    func convert(_ endpoint: ServiceEndpoint, progress: ConnectionProgress) -> [Step] {
        [
            learnFederation(endpoint, progress: progress),
            ensureCredential(endpoint, progress: progress, replaces: nil),
            convertStep(endpoint, progress: progress), readBack(endpoint, progress: progress),
            prove(endpoint, progress: progress),
        ]
    }

    /// Steps for a connection already federated: add its missing credential (when `missing`), prove it.
    func verify(_ endpoint: ServiceEndpoint, missing: Bool, progress: ConnectionProgress) -> [Step] {
        (missing ? [ensureCredential(endpoint, progress: progress, replaces: nil)] : [])
            + [prove(endpoint, progress: progress)]
    }

    /// Steps for a connection on the Azure DevOps issuer.
    func moveIssuer(_ endpoint: ServiceEndpoint, old: FederatedIdentityCredential?, progress: ConnectionProgress)
        -> [Step]
    {
        [
            save(endpoint, progress: progress), ensureCredential(endpoint, progress: progress, replaces: old?.name),
            readBack(endpoint, progress: progress), prove(endpoint, progress: progress),
        ]
    }

    private func learnFederation(_ endpoint: ServiceEndpoint, progress: ConnectionProgress) -> Step {
        let tools = self.tools
        return .change(
            "Ask Azure DevOps for the federation issuer and subject of service connection '\(endpoint.name)' (a conversion request: it converts at once when Azure DevOps can federate the principal itself, otherwise it changes nothing and states them)"
        ) {
            if let issuer = endpoint.federationIssuer, let subject = endpoint.federationSubject {
                tools.output.info(
                    "Service connection '\(endpoint.name)' states issuer \(issuer) and subject \(subject).")
                await progress.stated(issuer: issuer, subject: subject)
                return nil
            }
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
            await progress.stated(issuer: issuer, subject: subject, endpoint: state == .converted ? nil : answer)
            guard state == .converted else {
                tools.output.info(
                    state == .converting
                        ? "Azure DevOps accepted the conversion of '\(endpoint.name)' and finishes it in the background once Entra honours the federated credential for issuer \(issuer) and subject \(subject)."
                        : "Azure DevOps cannot federate the principal of '\(endpoint.name)' itself and left it unchanged (still on its secret); it states issuer \(issuer) and subject \(subject)."
                )
                return nil
            }
            tools.output.info(
                "Azure DevOps converted '\(endpoint.name)' and federated its principal itself (issuer \(issuer), subject \(subject))."
            )
            await progress.converted(answer)
            return revert(answer)
        }
    }

    func ensureCredential(_ endpoint: ServiceEndpoint, progress: ConnectionProgress, replaces: String?) -> Step {
        let ensurer = CredentialEnsurer(tools: tools)
        let objectId = self.objectId
        let appLabel = self.appLabel
        let tools = self.tools
        return .change(
            "Ensure application \(appLabel) has the federated credential (audience \(FederatedIdentityCredential.entraAudience)) for the issuer and subject Azure DevOps states for '\(endpoint.name)'"
        ) {
            guard let issuer = await progress.issuer, let subject = await progress.subject else {
                throw FederationFailure.notStated(name: endpoint.name, detail: "no issuer and subject learned")
            }
            _ = try await ensurer.ensure(
                objectId: objectId, appLabel: appLabel, issuer: issuer, subject: subject, endpoint: endpoint,
                replaces: replaces)
            await progress.gapEnds(tools.now())
            return nil
        }
    }

    private func convertStep(_ endpoint: ServiceEndpoint, progress: ConnectionProgress) -> Step {
        let tools = self.tools
        return .change(
            "Convert service connection '\(endpoint.name)' to workload identity federation (its federated credential is already in place)"
        ) {
            if await progress.converted { return nil }
            guard let issuer = await progress.issuer, let subject = await progress.subject else {
                throw FederationFailure.notStated(name: endpoint.name, detail: "no issuer and subject learned")
            }
            let completion = ConversionCompletion(tools: tools, timeoutSeconds: tools.proof.timeoutSeconds)
            let answer = try await completion.complete(await progress.endpoint, issuer: issuer, subject: subject)
            await progress.converted(answer)
            return revert(answer)
        }
    }

    private func save(_ endpoint: ServiceEndpoint, progress: ConnectionProgress) -> Step {
        let tools = self.tools
        let objectId = self.objectId
        let appLabel = self.appLabel
        return .change(
            "Save service connection '\(endpoint.name)' so Azure DevOps gives it the Entra issuer (its token requests fail from this save until the new federated credential exists: the new subject is only known once Azure DevOps assigns it)"
        ) {
            _ = try await tools.connections.update(endpoint)
            let started = tools.now()
            guard let current = try await tools.connections.endpoint(id: endpoint.id),
                let issuer = current.federationIssuer,
                let subject = current.federationSubject
            else {
                throw FederationFailure.readBack(name: endpoint.name, detail: "no issuer and subject after the save")
            }
            guard FederationIssuer(issuer) == .entra else {
                throw FederationFailure.issuerNotMoved(name: endpoint.name, issuer: issuer)
            }
            await progress.gapStarts(started)
            await progress.stated(issuer: issuer, subject: subject, endpoint: current)
            return Compensation(
                "create the federated credential for the new issuer of '\(endpoint.name)' again",
                leftBehind:
                    "service connection '\(endpoint.name)' now uses issuer \(issuer) and subject \(subject), and application \(appLabel) has no federated credential for them: pipelines using it fail until one is created (audience \(FederatedIdentityCredential.entraAudience))"
            ) {
                _ = try await CredentialEnsurer(tools: tools).ensure(
                    objectId: objectId, appLabel: appLabel, issuer: issuer, subject: subject, endpoint: current,
                    replaces: nil)
            }
        }
    }

    private func readBack(_ endpoint: ServiceEndpoint, progress: ConnectionProgress) -> Step {
        let tools = self.tools
        return .read(
            "Read back service connection '\(endpoint.name)': scheme, issuer, subject, isReady, operationStatus"
        ) {
            guard let current = try await tools.connections.endpoint(id: endpoint.id) else {
                throw RotationFailure.connectionUnreadable(name: endpoint.name, id: endpoint.id)
            }
            let issuer = await progress.issuer
            let subject = await progress.subject
            guard current.isWorkloadIdentityFederation, current.federationIssuer == issuer,
                current.federationSubject == subject
            else {
                throw FederationFailure.readBack(
                    name: endpoint.name,
                    detail:
                        "scheme '\(current.scheme)', issuer \(current.federationIssuer ?? "none"), subject \(current.federationSubject ?? "none"); expected \(Self.federated), \(issuer ?? "?"), \(subject ?? "?")"
                )
            }
            if current.isReady == false
                || ["failed", "converting_scheme_failed"].contains(current.operationState?.lowercased() ?? "")
            {
                throw RotationFailure.connectionNotReady(
                    name: endpoint.name, isReady: current.isReady == true, state: current.operationState ?? "missing",
                    detail: current.operationMessage ?? "")
            }
            await progress.readBack(current)
        }
    }

    func prove(_ endpoint: ServiceEndpoint, progress: ConnectionProgress) -> Step {
        let tools = self.tools
        return .read(
            "Prove that service connection '\(endpoint.name)' works: the job's OIDC token for it, exchanged at Entra",
            secures: true
        ) {
            let current = await progress.endpoint
            let text = try await tools.proof.verify(current)
            tools.output.info("Service connection '\(endpoint.name)': \(text)")
            await progress.proven(text)
        }
    }

    /// Undoes a conversion while Azure DevOps still can (its revert window).
    private func revert(_ converted: ServiceEndpoint) -> Compensation {
        let tools = self.tools
        let deadline = converted.revertSchemeDeadline.map { " before \(Timestamp.format($0))" } ?? " within seven days"
        return Compensation(
            "revert service connection '\(converted.name)' to its client secret (ConvertAuthenticationScheme back to \(Self.secret))",
            leftBehind:
                "service connection '\(converted.name)' is federated but not proven to work; revert it\(deadline) in Project settings > Service connections > \(converted.name) > Revert conversion, or create the federated credential it states"
        ) {
            let current = (try? await tools.connections.endpoint(id: converted.id)).flatMap { $0 } ?? converted
            _ = try await tools.connections.convertAuthenticationScheme(current, to: Self.secret)
        }
    }
}
