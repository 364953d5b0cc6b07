/// The one next step for a listed service connection, decided from an observation alone, in the
/// order that keeps it working (docs/federation.md): a client-secret connection learns its issuer
/// and subject from Azure DevOps, its application gets that federated credential, and only then
/// is it converted (read back and proven in the same plan, which reverts the conversion when the
/// proof fails); a connection on the Azure DevOps issuer moves to the Entra issuer; a federated one
/// counts as done only when its credential exists and the job's exchange works; the Azure
/// DevOps-issuer credential a moved connection replaced goes after `graceHours`.
enum ConversionDecision: ReconcileDecision, Equatable {
    /// Send a conversion request: Azure DevOps converts at once when it can federate the principal
    /// itself, otherwise it changes nothing and states the issuer and subject.
    case ask
    /// Create the application's federated credential for the issuer and subject the connection states.
    case addCredential(issuer: String, subject: String)
    /// Convert (the credential is in place), waiting while Azure DevOps finishes in the background.
    case convert(issuer: String, subject: String)
    /// Azure DevOps converts in the background (`InProgress, converting_scheme`): wait for it.
    case awaitConversion
    /// Save the connection so Azure DevOps gives it the Entra issuer, and create its credential
    /// right after (`old`: the Azure DevOps-issuer credential it used, kept for `graceHours`).
    case moveIssuer(old: FederatedIdentityCredential?)
    /// Prove that the connection signs in: the job's OIDC token for it, exchanged at Entra.
    case prove
    /// Remove the Azure DevOps-issuer credential the connection no longer uses.
    case retireCredential(FederatedIdentityCredential)
    /// Nothing (more) to do; `keeping`: an old credential kept until its grace period ends.
    case converged(keeping: KeptCredential?)
    /// Stop and report.
    case fail(RotationFailure)

    var isConverged: Bool { if case .converged = self { true } else { false } }
    var failure: RotationFailure? { if case .fail(let failure) = self { failure } else { nil } }
    var changes: Bool {
        switch self {
        case .ask, .addCredential, .convert, .awaitConversion, .moveIssuer, .retireCredential: return true
        case .prove, .converged, .fail: return false
        }
    }
}

/// A federated identity credential kept until its grace period ends (nil: unknown).
struct KeptCredential: Sendable, Equatable {
    var credential: FederatedIdentityCredential
    var until: Date?
}

extension ConversionDecision {
    /// Decides for `observation` at the services' time `now`.
    static func decide(_ observation: ConversionObservation, policy: ConversionPolicy, now: Date) -> Self {
        let endpoint = observation.endpoint
        if case .busy(let message) = ConversionState.of(endpoint) {
            return .fail(.federation(.busy(name: endpoint.name, message: message)))
        }
        switch ConnectionKind.of(endpoint, convertAutomatic: policy.convertAutomatic) {
        case .refused(let reason):
            return .fail(.federation(.refused(name: endpoint.name, reason: reason)))
        case .secret:
            return secretBased(observation)
        case .azureDevOpsIssuer where !observation.convertedThisRun:
            return .moveIssuer(old: observation.serving)
        case .azureDevOpsIssuer, .federated:
            return federated(observation, policy: policy, now: now)
        }
    }

    /// A connection still on its secret: learn, add the credential, convert (or wait for Azure DevOps).
    private static func secretBased(_ observation: ConversionObservation) -> Self {
        let converting = ConversionState.of(observation.endpoint) == .converting
        guard let stated = observation.stated else { return converting ? .awaitConversion : .ask }
        guard observation.serving != nil else { return .addCredential(issuer: stated.issuer, subject: stated.subject) }
        return converting ? .awaitConversion : .convert(issuer: stated.issuer, subject: stated.subject)
    }

    /// A federated connection: its credential, the proof, then the old credential after the grace period.
    private static func federated(_ observation: ConversionObservation, policy: ConversionPolicy, now: Date) -> Self {
        guard let stated = observation.stated else {
            return .fail(
                .federation(
                    .incomplete(
                        name: observation.endpoint.name,
                        missing: "workloadIdentityFederationIssuer or workloadIdentityFederationSubject")))
        }
        guard let serving = observation.serving else {
            return .addCredential(issuer: stated.issuer, subject: stated.subject)
        }
        guard observation.proof != nil else { return .prove }
        guard let old = observation.replaced else { return .converged(keeping: nil) }
        let since = FederatedCredentialRecord.created(serving)
        if ConversionTime.elapsed(since, graceHours: policy.graceHours, now: now) { return .retireCredential(old) }
        let until = since?.addingTimeInterval(Double(policy.graceHours) * 3600)
        return .converged(keeping: KeptCredential(credential: old, until: until))
    }
}
