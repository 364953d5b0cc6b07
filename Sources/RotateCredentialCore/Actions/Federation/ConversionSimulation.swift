/// What a dry run assumes each conversion plan leaves, so it can decide the next round and show the
/// whole plan. Azure DevOps states the issuer and subject only in answer to a conversion request, so
/// a dry run names them by placeholders.
struct ConversionSimulation: Sendable {
    static let statedIssuer = "(the issuer Azure DevOps states)"
    static let statedSubject = "(the subject Azure DevOps states)"
    static let entraIssuer = "(the Entra issuer Azure DevOps assigns on save)"
    static let entraSubject = "(the subject Azure DevOps assigns on save)"
    static let proof = "not proven (dry run)"
    let now: Date

    /// Which issuer `issuer` is; a dry run's placeholders stand for the Entra issuer, which Azure
    /// DevOps assigns to new and saved connections.
    static func kind(of issuer: String) -> FederationIssuer {
        [statedIssuer, entraIssuer].contains(issuer) ? .entra : FederationIssuer(issuer)
    }

    /// `observation` after the plan for `decision`; nil when nothing would change.
    func after(_ decision: ConversionDecision, observation: ConversionObservation) -> ConversionObservation? {
        var next = observation
        switch decision {
        case .ask:
            next.endpoint = observation.endpoint.stating(issuer: Self.statedIssuer, subject: Self.statedSubject)
        case .addCredential(let issuer, let subject):
            next.credentials.append(credential(for: observation.endpoint, issuer: issuer, subject: subject))
        case .convert, .awaitConversion:
            next.endpoint = observation.endpoint.switched(to: FederationSteps.federated)
            next.convertedThisRun = true
            next.proof = Self.proof
        case .moveIssuer(let old):
            next.endpoint = observation.endpoint.stating(issuer: Self.entraIssuer, subject: Self.entraSubject)
            next.credentials.append(
                credential(
                    for: observation.endpoint, issuer: Self.entraIssuer, subject: Self.entraSubject,
                    replaces: old?.name))
            next.proof = Self.proof
        case .prove:
            next.proof = Self.proof
        case .retireCredential(let old):
            next.credentials.removeAll { $0 == old }
        case .converged, .fail:
            return nil
        }
        return next
    }

    private func credential(
        for endpoint: ServiceEndpoint, issuer: String, subject: String, replaces: String? = nil
    ) -> FederatedIdentityCredential {
        FederatedIdentityCredential(
            name: FederatedCredentialRecord.name(for: endpoint, issuer: Self.kind(of: issuer)), issuer: issuer,
            subject: subject,
            description: FederatedCredentialRecord.description(for: endpoint, created: now, replaces: replaces))
    }
}

extension ServiceEndpoint {
    /// The connection stating `issuer` and `subject` (as Azure DevOps would).
    fileprivate func stating(issuer: String, subject: String) -> ServiceEndpoint {
        var copy = self
        var authorization = body["authorization"] ?? .object([:])
        var parameters = authorization["parameters"] ?? .object([:])
        parameters["workloadIdentityFederationIssuer"] = .string(issuer)
        parameters["workloadIdentityFederationSubject"] = .string(subject)
        authorization["parameters"] = parameters
        copy.body["authorization"] = authorization
        return copy
    }

    /// The connection with authorization scheme `scheme`.
    fileprivate func switched(to scheme: String) -> ServiceEndpoint {
        var copy = self
        var authorization = body["authorization"] ?? .object([:])
        authorization["scheme"] = .string(scheme)
        copy.body["authorization"] = authorization
        return copy
    }
}
