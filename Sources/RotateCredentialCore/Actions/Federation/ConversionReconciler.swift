/// `service-connection-convert` for one listed connection on the one loop: observe (the connection
/// and its application's federated credentials), decide (``ConversionDecision``), act with one plan,
/// and observe again by laying the plan's effects over the last observation (every step reads back
/// what it changed). No lease: each step is idempotent (a credential found is not created again, a
/// connection converted is not converted again), and nothing a consumer holds is removed here.
struct ConversionReconciler: ReconcileSubject {
    typealias Explanation = ConversionExplanation
    let tools: FederationTools
    let policy: ConversionPolicy
    /// The effects of the last plan, laid over the next observation.
    private var lastEffects: [StepEffect] = []
    /// Plans before the loop gives up: ask, credential, convert, prove, retire, with room for one more.
    static let maxRounds = 6

    init(tools: FederationTools, policy: ConversionPolicy) {
        self.tools = tools
        self.policy = policy
    }

    var context: ActionContext { tools.context }

    func credential(_ observation: ConversionObservation) -> String {
        "service connection '\(observation.endpoint.name)'"
    }

    /// The first observation: `endpoint` as found, its application (read once per application by
    /// the caller) and the application's federated credentials.
    func observe(_ endpoint: ServiceEndpoint, application: GraphApplication) async throws -> ConversionObservation {
        ConversionObservation(
            endpoint: endpoint, application: application,
            credentials: try await tools.credentials.list(objectId: application.id))
    }

    func record(_ decision: ConversionDecision, result: PlanOutcome, into outcome: inout ConversionOutcome) {
        outcome.record(decision, result: result)
    }

    mutating func remember(_ decision: ConversionDecision, result: PlanOutcome) {
        lastEffects = result.effects
    }

    func observeAgain(_ observation: ConversionObservation) async throws -> ConversionObservation {
        observation.applying(lastEffects)
    }

    func simulate(_ decision: ConversionDecision, observation: ConversionObservation) -> ConversionObservation? {
        ConversionSimulation(now: context.serviceNow).after(decision, observation: observation)
    }

    func plan(for decision: ConversionDecision, observation: ConversionObservation) -> Plan {
        let steps = FederationSteps(tools: tools, endpoint: observation.endpoint, application: observation.application)
        let name = observation.endpoint.name
        switch decision {
        case .ask:
            return Plan(
                "Ask Azure DevOps how service connection '\(name)' federates",
                untouched:
                    "Service connection '\(name)' keeps working on its client secret (a conversion request changes nothing unless it converts completely, and a conversion that could not be proven is reverted).",
                steps: [steps.ask()] + [steps.readBack(), steps.prove()].map { $0.only { $0.converted != nil } })
        case .addCredential(let issuer, let subject):
            return Plan(
                "Give application \(observation.application.label) the federated credential of service connection '\(name)'",
                untouched: missingCredential(observation, issuer: issuer, subject: subject),
                steps: [steps.ensureCredential(replaces: nil)])
        case .convert, .awaitConversion:
            return Plan(
                "Convert service connection '\(name)' to workload identity federation",
                untouched:
                    "Service connection '\(name)' keeps working: on its client secret, or on its federated credential when the conversion completed (in this run and was not undone, or later in the background, once Azure DevOps had accepted it); a re-run proves it.",
                steps: [steps.convert(waiting: decision == .awaitConversion), steps.readBack(), steps.prove()])
        case .moveIssuer(let old):
            return Plan(
                "Move service connection '\(name)' from the Azure DevOps issuer to the Entra issuer",
                untouched:
                    "Service connection '\(name)' stays as the completed steps left it; its old federated credential is kept.",
                steps: [steps.save(), steps.ensureCredential(replaces: old?.name), steps.readBack(), steps.prove()])
        case .prove:
            return Plan("Prove service connection '\(name)'", steps: [steps.prove()])
        case .retireCredential(let old):
            return Plan(
                "Retire the Azure DevOps-issuer credential service connection '\(name)' no longer uses",
                untouched: "\(old.label) stays.",
                steps: [
                    steps.removeCredential(old, since: observation.serving.flatMap(FederatedCredentialRecord.created))
                ])
        case .converged, .fail:
            return Plan("Nothing to do", steps: [])
        }
    }

    /// What stays when the credential cannot be added: the secret, or (already federated) nothing that signs in.
    private func missingCredential(_ observation: ConversionObservation, issuer: String, subject: String) -> String {
        let name = observation.endpoint.name
        guard observation.endpoint.isWorkloadIdentityFederation else {
            return "Service connection '\(name)' keeps working on its client secret; it was not converted."
        }
        return
            "Service connection '\(name)' uses workload identity federation, but application \(observation.application.label) has no federated credential for issuer \(issuer) and subject \(subject) (audience \(FederatedIdentityCredential.entraAudience)): pipelines using it cannot sign in until one is added."
    }
}
