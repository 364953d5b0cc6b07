import Foundation

/// The clients and settings the conversion steps use.
struct FederationTools: Sendable {
    let connections: ServiceEndpointClient
    let credentials: FederatedCredentialClient
    let proof: FederationProof
    let output: PipelineOutput
    let clock: ServiceClock

    /// The services' time now.
    func now() -> Date { clock.now() }
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
        do throws(ServiceError) {
            _ = try await tools.credentials.create(new, objectId: objectId)
        } catch {
            guard [.transport, .serverFailure].contains(error.kind) else { throw error }
            tools.output.info(
                "Creating \(new.label) got no certain answer (\(error.kind)); reading the application's credentials to see whether it exists."
            )
        }
        let after = try await tools.credentials.list(objectId: objectId)
        guard let created = after.first(where: { $0.matches(issuer: issuer, subject: subject) }) else {
            throw FederationFailure.credentialMissing(application: appLabel, issuer: issuer, subject: subject)
        }
        tools.output.info("Application \(appLabel) has \(created.label) (read back).")
        return created
    }
}
