/// The clients and settings the conversion steps use.
struct FederationTools: Sendable {
    /// The action's output, clock and configuration.
    let context: ActionContext
    let connections: ServiceEndpointClient
    let credentials: FederatedCredentialClient
    let graph: GraphApplicationClient
    let proof: FederationProof

    /// Pipeline output.
    var output: PipelineOutput { context.output }

    /// The services' time now.
    func now() -> Date { context.serviceNow }

    /// Sends the conversion request to federation and returns the connection as it then is. When
    /// Azure DevOps answers "Automatic authentication conversion failed" (nothing changed, issuer and
    /// subject stated), or the answer leaves it uncertain whether the request was processed (no
    /// answer, a server failure), the connection is read back, and returned when `accept` finds the
    /// request took effect; otherwise the error is thrown.
    func convert(_ endpoint: ServiceEndpoint, accept: (ServiceEndpoint) -> Bool) async throws -> ServiceEndpoint {
        let failure: ServiceError
        do throws(ServiceError) {
            return try await connections.convertAuthenticationScheme(endpoint, to: FederationSteps.federated)
        } catch {
            failure = error
        }
        let stated = (failure.serviceMessage ?? "").contains("Automatic authentication conversion failed")
        let uncertain = [.transport, .serverFailure, .throttled, .malformedResponse].contains(failure.kind)
        guard stated || uncertain else { throw failure }
        guard let current = try await connections.endpoint(id: endpoint.id), accept(current) else { throw failure }
        if uncertain {
            output.info(
                "Converting '\(endpoint.name)' got no certain answer (\(failure.kind)); read back, it is \(current.scheme)."
            )
        }
        return current
    }
}

/// One application's federated credentials, ensured for an issuer and subject.
struct CredentialEnsurer: Sendable {
    let tools: FederationTools

    /// Makes sure application `objectId` has a credential for `issuer`/`subject` (created only when
    /// missing, named and described for `endpoint`), and reads it back.
    func ensure(
        objectId: String, appLabel: String, issuer: String, subject: String, endpoint: ServiceEndpoint,
        replaces: String?
    ) async throws -> FederatedIdentityCredential {
        let existing = try await tools.credentials.list(objectId: objectId)
        if let match = existing.first(where: { $0.matches(issuer: issuer, subject: subject) }) {
            tools.output.info("Application \(appLabel) already has \(match.label); not created again.")
            return match
        }
        guard existing.count < FederatedCredentialClient.limitPerApplication else {
            throw FederationFailure.credentialLimit(application: appLabel, count: existing.count)
        }
        let kind = FederationIssuer(issuer)
        var name = FederatedCredentialRecord.name(for: endpoint, issuer: kind)
        if existing.contains(where: { $0.name == name }) { name += "-\(existing.count + 1)" }
        let new = FederatedIdentityCredential(
            name: name, issuer: issuer, subject: subject,
            description: FederatedCredentialRecord.description(for: endpoint, created: tools.now(), replaces: replaces))
        let created = try await create(new, objectId: objectId, appLabel: appLabel)
        tools.output.info("Application \(appLabel) has \(created.label) (read back).")
        return created
    }

    /// Creates `new`; after an answer that leaves it uncertain (no answer, a server failure) the
    /// application is read: the credential is there, or it is created once more (its unique name
    /// keeps a second create from doubling it). Returns it as read back.
    private func create(_ new: FederatedIdentityCredential, objectId: String, appLabel: String) async throws
        -> FederatedIdentityCredential
    {
        for attempt in 1...2 {
            do throws(ServiceError) {
                _ = try await tools.credentials.create(new, objectId: objectId)
            } catch {
                let uncertain = [.transport, .serverFailure, .throttled].contains(error.kind)
                let duplicate = error.kind == .invalidRequest && (error.serviceMessage ?? "").contains("already exists")
                guard uncertain || (duplicate && attempt > 1) else { throw error }
                tools.output.info(
                    "Creating \(new.label) got no certain answer (\(error.kind)); reading the application's credentials to see whether it exists."
                )
            }
            let after = try await tools.credentials.list(objectId: objectId)
            if let created = after.first(where: { $0.matches(issuer: new.issuer, subject: new.subject) }) {
                return created
            }
        }
        throw FederationFailure.credentialMissing(application: appLabel, issuer: new.issuer, subject: new.subject)
    }
}
