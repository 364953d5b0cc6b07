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
    /// missing, named and described for `endpoint`), and reads it back; `created` says whether this
    /// call created it.
    func ensure(
        objectId: String, appLabel: String, issuer: String, subject: String, endpoint: ServiceEndpoint,
        replaces: String?
    ) async throws -> (credential: FederatedIdentityCredential, created: Bool) {
        let existing = try await tools.credentials.list(objectId: objectId)
        if let match = existing.first(where: { $0.matches(issuer: issuer, subject: subject) }) {
            tools.output.info("Application \(appLabel) already has \(match.label); not created again.")
            return (match, false)
        }
        guard existing.count < FederatedCredentialClient.limitPerApplication else {
            throw FederationFailure.credentialLimit(application: appLabel, count: existing.count)
        }
        let kind = FederationIssuer(issuer)
        let name = Self.freeName(
            FederatedCredentialRecord.name(for: endpoint, issuer: kind), taken: existing.map(\.name))
        let new = FederatedIdentityCredential(
            name: name, issuer: issuer, subject: subject,
            description: FederatedCredentialRecord.description(for: endpoint, created: tools.now(), replaces: replaces))
        let created = try await create(new, objectId: objectId, appLabel: appLabel)
        tools.output.info("Application \(appLabel) has \(created.label) (read back).")
        return (created, true)
    }

    /// `name`, or `name-2`, `name-3`, … when it is taken (names are unique per application).
    static func freeName(_ name: String, taken: [String]) -> String {
        let used = Set(taken)
        guard used.contains(name) else { return name }
        return (2...).lazy.map { "\(name)-\($0)" }.first { !used.contains($0) }!
    }

    /// Creates `new` and reads it back. After an answer that leaves it uncertain (no answer, a server
    /// failure) or says the name or the issuer and subject are taken (409
    /// `Request_MultipleObjectsWithSameKeyValue`, 400 "already exist": an earlier attempt may have
    /// landed while Graph's reads lag its writes), the application is read: the credential is
    /// there, or it is created again (under another name when its name is taken by another one).
    private func create(_ new: FederatedIdentityCredential, objectId: String, appLabel: String) async throws
        -> FederatedIdentityCredential
    {
        var candidate = new
        var stopwatch = Stopwatch(tools.context.clock)
        for attempt in 1...3 {
            var refusal: ServiceError?
            do throws(ServiceError) {
                _ = try await tools.credentials.create(candidate, objectId: objectId)
            } catch {
                guard Self.mayLookAgain(error) else { throw error }
                refusal = error
                tools.output.info(
                    "Creating \(candidate.label) was answered \(error.code ?? "\(error.kind)"); reading the application's credentials to see whether it exists."
                )
            }
            let after = try await tools.credentials.list(objectId: objectId)
            if let created = after.first(where: { $0.matches(issuer: new.issuer, subject: new.subject) }) {
                return created
            }
            if let refusal, FederatedCredentialClient.duplicate(refusal) == .name {
                candidate.name = Self.freeName(new.name, taken: after.map(\.name) + [candidate.name])
            }
            if attempt < 3 { try await stopwatch.pause(Double(attempt)) }
        }
        throw FederationFailure.credentialMissing(application: appLabel, issuer: new.issuer, subject: new.subject)
    }

    /// Whether a refused create may have landed or collided with one that did.
    static func mayLookAgain(_ error: ServiceError) -> Bool {
        [.transport, .serverFailure, .throttled].contains(error.kind)
            || FederatedCredentialClient.duplicate(error) != nil
    }
}
