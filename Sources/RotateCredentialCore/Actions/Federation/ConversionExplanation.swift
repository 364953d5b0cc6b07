/// The words for ``ConversionDecision``: one log line per round, saying what the run saw and what
/// it does next.
enum ConversionExplanation: ReconcileExplanation {
    static func text(
        _ decision: ConversionDecision, observation: ConversionObservation, policy: ConversionPolicy, now: Date
    ) -> String {
        let name = "'\(observation.endpoint.name)'"
        let application = observation.application.label
        switch decision {
        case .ask:
            return
                "Service connection \(name) uses a client secret and states no federation issuer and subject yet: asking Azure DevOps for them."
        case .addCredential(let issuer, let subject):
            return observation.endpoint.isWorkloadIdentityFederation
                ? "Service connection \(name) uses workload identity federation, but application \(application) has no federated credential for issuer \(issuer) and subject \(subject)."
                : "Service connection \(name) will use issuer \(issuer) and subject \(subject); application \(application) has no federated credential for them yet: creating it before the conversion."
        case .convert:
            return
                "Application \(application) has the federated credential service connection \(name) will use: converting it."
        case .awaitConversion:
            return
                "Azure DevOps is converting service connection \(name) in the background (operationStatus InProgress, \(ConversionState.convertingMessage)): waiting for it."
        case .moveIssuer:
            return
                "Service connection \(name) is federated on the Azure DevOps issuer (\(observation.endpoint.federationIssuer ?? "")), which stops working on \(FederationIssuer.azureDevOpsIssuerDeadline): moving it to the Entra issuer."
        case .prove:
            return
                "Service connection \(name) \(observation.convertedThisRun ? "uses" : "already uses") workload identity federation and application \(application) has its federated credential; \(observation.convertedThisRun ? "proving it" : "nothing to convert, proving it works")."
        case .retireCredential(let old):
            return
                "Service connection \(name) moved to the Entra issuer more than graceHours (\(policy.graceHours)) ago: removing \(old.label)."
        case .converged(let keeping):
            return converged(name, keeping: keeping, policy: policy)
        case .fail(let failure):
            return "\(failure)"
        }
    }

    private static func converged(_ name: String, keeping: KeptCredential?, policy: ConversionPolicy) -> String {
        guard let keeping else {
            return
                "Service connection \(name) uses workload identity federation with its federated credential; nothing (more) to do."
        }
        return
            "Service connection \(name) uses workload identity federation; \(keeping.credential.label) is \(keptText(keeping, name: name, policy: policy))."
    }

    /// "kept until … (graceHours … after '…' moved to the Entra issuer)".
    static func keptText(_ keeping: KeptCredential, name: String, policy: ConversionPolicy) -> String {
        "kept until \(keeping.until.map(Timestamp.format) ?? "?") (graceHours \(policy.graceHours) after \(name) moved to the Entra issuer)"
    }
}
