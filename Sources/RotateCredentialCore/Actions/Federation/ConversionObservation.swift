/// One listed service connection as `service-connection-convert` sees it: the connection (its
/// scheme, the issuer and subject it states, its operation status), its application's federated
/// identity credentials, and what this run proved. Every step reads back what it changes, so the
/// loop lays the steps' effects over the last observation instead of reading again
/// (``applying(_:)``).
struct ConversionObservation: Sendable, Equatable {
    /// The connection, as last read.
    var endpoint: ServiceEndpoint
    /// Its application (object id, appId, label).
    var application: GraphApplication
    /// The application's federated identity credentials.
    var credentials: [FederatedIdentityCredential]
    /// How this run proved that the connection signs in (or said how to verify it); nil until then.
    var proof: String?
    /// Whether this run converted the connection: Azure DevOps gave it the organization's issuer
    /// moments ago, and a save would not change it.
    var convertedThisRun = false

    /// The issuer and subject the connection states, when it states both.
    var stated: (issuer: String, subject: String)? {
        guard let issuer = endpoint.federationIssuer, let subject = endpoint.federationSubject else { return nil }
        return (issuer, subject)
    }

    /// The credential for the issuer and subject the connection states.
    var serving: FederatedIdentityCredential? {
        guard let stated else { return nil }
        return credentials.first { $0.matches(issuer: stated.issuer, subject: stated.subject) }
    }

    /// The Azure DevOps-issuer credential the serving one replaced (its description names it), when
    /// it is still there.
    var replaced: FederatedIdentityCredential? {
        guard let serving, let name = FederatedCredentialRecord.replaces(serving) else { return nil }
        return credentials.first { $0.name == name && $0.id != nil && FederationIssuer($0.issuer) == .azureDevOps }
    }

    /// This observation with `effects` (one plan's, in order) laid over it.
    func applying(_ effects: [StepEffect]) -> ConversionObservation {
        let progress = PlanProgress(effects: effects)
        var next = self
        for effect in effects {
            switch effect {
            case .federationStated(let endpoint), .connectionRead(let endpoint), .issuerMoved(let endpoint, _):
                next.endpoint = endpoint
            case .converted(let endpoint) where !progress.tookBack(endpoint.id):
                next.endpoint = endpoint
                next.convertedThisRun = true
            case .credentialAdded(let credential), .credentialFound(let credential):
                next.credentials.removeAll { $0.name == credential.name }
                next.credentials.append(credential)
            case .removedCredential(let credential):
                next.credentials.removeAll { $0.name == credential.name }
            case .proven(let text):
                next.proof = text
            default:
                continue
            }
        }
        return next
    }
}

/// What `service-connection-convert` wants, the decision's other input.
struct ConversionPolicy: Sendable, Equatable {
    /// Whether connections Azure DevOps created (`Automatic`) may be converted.
    var convertAutomatic: Bool
    /// Hours before what a federated connection no longer uses is removed.
    var graceHours: Int
}
