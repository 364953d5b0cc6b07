/// The JSON report of `service-connection-convert` (`reportPath`), built from what the loops did:
/// each connection's events and last observation, each retirement's decisions and effects.
struct ConversionReport: Encodable {
    var action: String
    var dryRun: Bool
    var changed: Bool
    var connections: [Connection] = []
    var retirements: [RetirementNote] = []
    var completedSteps: [String] = []
    var failures: [String] = []

    /// One listed connection: its facts and how its conversion went.
    struct Connection: MergedEncodable, Equatable {
        var base: ConnectionFacts
        var extra: Progress
    }

    /// What the conversion adds to a connection's facts.
    struct Progress: Encodable, Equatable {
        /// What kind of connection it was (``ConnectionKind/label``).
        var decision: String
        var operationStatus: String?
        /// How the new sign-in was proved, and how long the connection could not sign in.
        var proof: String?
        var gapSeconds: Double?
        var outcome: String
    }
}

/// One credential a conversion retires or keeps, for the report: what, and what happened or why not.
struct RetirementNote: Sendable, Encodable, Equatable {
    var applicationId: String
    var credential: String
    var outcome: String
}

extension ConversionReport.Connection {
    /// The row of one connection's loop.
    init(_ outcome: ConversionOutcome, policy: ConversionPolicy, dryRun: Bool) {
        let current = outcome.latest.endpoint
        base = ConnectionFacts(current, issuer: current.federationIssuer, subject: current.federationSubject)
        extra = ConversionReport.Progress(
            decision: ConnectionKind.of(outcome.initial.endpoint, convertAutomatic: policy.convertAutomatic).label,
            operationStatus: current.operationState, proof: outcome.proof,
            gapSeconds: outcome.events.lazy.compactMap { if case .moved(let gap) = $0 { gap } else { nil } }.first,
            outcome: Self.text(outcome, dryRun: dryRun))
    }

    /// What happened to the connection, in words.
    static func text(_ outcome: ConversionOutcome, dryRun: Bool) -> String {
        if let failed = outcome.failedPlan { return "failed at '\(failed.failure?.step ?? "")'" }
        if let failure = outcome.failure { return "failed: \(failure)" }
        return dryRun ? planned(outcome.decisions) : done(outcome.events)
    }

    private static func done(_ events: [ConversionOutcome.Event]) -> String {
        if events.contains(where: { if case .moved = $0 { true } else { false } }) {
            return "moved to the Entra issuer"
        }
        if events.contains(.converted) { return "converted to workload identity federation" }
        if events.contains(where: { if case .credentialAdded = $0 { true } else { false } }) {
            return "federated credential added"
        }
        return "up to date (federated)"
    }

    private static func planned(_ decisions: [ConversionDecision]) -> String {
        for decision in decisions {
            switch decision {
            case .moveIssuer: return "would be moved to the Entra issuer"
            case .ask, .convert, .awaitConversion: return "would be converted to workload identity federation"
            case .addCredential: return "would add the missing federated credential"
            default: continue
            }
        }
        return "up to date (federated)"
    }
}

extension RetirementNote {
    /// The notes of one connection: the Azure DevOps-issuer credential it no longer uses, removed or kept.
    static func notes(_ outcome: ConversionOutcome, policy: ConversionPolicy, dryRun: Bool) -> [RetirementNote] {
        let appId = outcome.initial.application.appId
        let serving = outcome.latest.serving?.name ?? "?"
        let name = "'\(outcome.initial.endpoint.name)'"
        return outcome.decisions.compactMap { decision in
            switch decision {
            case .retireCredential(let old):
                let removed = outcome.events.contains(.removedCredential(old))
                let text = "removed (replaced by \(serving))"
                return RetirementNote(
                    applicationId: appId, credential: old.label,
                    outcome: dryRun
                        ? "would be \(text)" : removed ? text : "not removed (the step failed): \(text)")
            case .converged(let keeping?):
                return RetirementNote(
                    applicationId: appId, credential: keeping.credential.label,
                    outcome: ConversionExplanation.keptText(keeping, name: name, policy: policy))
            default:
                return nil
            }
        }
    }

    /// The note of one application's client secret.
    static func note(_ outcome: SecretRetirementOutcome, dryRun: Bool) -> RetirementNote? {
        let application = outcome.initial.application
        let removal = "removed (no holder left: the connections that used it are federated)"
        guard let last = outcome.decisions.last else { return nil }
        switch last {
        case .remove(let secret):
            let why = outcome.failure.map { "\($0)" } ?? outcome.failedPlan.map(\.stateReport) ?? "the step did not run"
            return RetirementNote(
                applicationId: application.appId, credential: "client secret \(secret.label)",
                outcome: "not removed: \(why)")
        case .converged(.removed(let secrets)):
            return RetirementNote(
                applicationId: application.appId,
                credential: secrets.map { "client secret \($0.label)" }.joined(separator: ", "),
                outcome: dryRun ? "would be \(removal)" : removal)
        case .converged(.kept(let secret, let holders)):
            return RetirementNote(
                applicationId: application.appId, credential: "client secret \(secret.label)",
                outcome: SecretRetirementExplanation.keptText(holders))
        case .converged(.nothingToRemove(let why)):
            return RetirementNote(
                applicationId: application.appId, credential: "client secrets of \(application.label)", outcome: why)
        case .findHolders(let secret):
            let why = outcome.failedPlan.map(\.stateReport) ?? "the look through every project did not finish"
            return RetirementNote(
                applicationId: application.appId, credential: "client secret \(secret.label)", outcome: "kept: \(why)")
        }
    }
}
