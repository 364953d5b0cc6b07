/// `service-connection-convert`: moves the connections in `serviceConnections` from a client secret
/// to workload identity federation (and connections on the Azure DevOps issuer to the Entra issuer),
/// each in the order ``FederationSteps`` describes; then, after `graceHours`, retires what they no
/// longer use (``Retirement``). Decided before anything changes; a re-run changes nothing.
/// Sources for every protocol fact: docs/federation.md.
struct ServiceConnectionConvertAction: TaskAction {
    /// The project whose connections are converted, and the identity that reaches them.
    let target: ConnectionsAccess
    /// The identity that owns the connections' applications (creates their federated credentials).
    let identity: EntraCredential

    func run(_ context: ActionContext) async throws -> ActionResult {
        let configuration = context.configuration
        let connections = ServiceEndpointClient(
            context: context.services, credential: target.identity, project: target.project)
        let tools = Self.tools(connections: connections, identity: identity, context: context)
        let decided = try await decide(connections: connections, context: context)
        var report = ConversionReport(
            action: configuration.action.rawValue, dryRun: configuration.dryRun, changed: false)
        var failures: [PlanOutcome] = []
        var federated: [ServiceEndpoint] = []
        for (endpoint, decision) in decided {
            let (row, outcome, current) = try await federate(
                endpoint, decision: decision, tools: tools, context: context)
            report.connections.append(row)
            if let outcome {
                report.completedSteps += outcome.completed
                if !outcome.succeeded {
                    failures.append(outcome)
                    report.failures.append(outcome.stateReport)
                }
            }
            if let current, current.isWorkloadIdentityFederation,
                current.federationIssuer.map(FederationIssuer.init) == .entra
            {
                federated.append(current)
            }
        }
        let retired = await retire(
            federated, retirement: retirement(tools: tools, connections: connections, context: context),
            context: context)
        report.retirements = retired.notes
        report.completedSteps += retired.outcome.completed
        if !retired.outcome.succeeded {
            failures.append(retired.outcome)
            report.failures.append(retired.outcome.stateReport)
        }
        report.changed =
            !configuration.dryRun && !report.completedSteps.isEmpty
            && (report.connections.contains {
                $0.outcome.hasPrefix("converted") || $0.outcome.hasPrefix("moved")
                    || $0.outcome.hasPrefix("federated credential added")
            }
                || report.retirements.contains { $0.outcome.hasPrefix("removed") })
        try context.writeReport(report)
        return ActionResult(
            changed: configuration.dryRun ? false : report.changed, summaryMarkdown: ConversionSummary.markdown(report),
            failures: failures)
    }

    /// The clients and settings of the conversion steps.
    static func tools(connections: ServiceEndpointClient, identity: EntraCredential, context: ActionContext)
        -> FederationTools
    {
        let configuration = context.configuration
        let proof = FederationProof(
            tokens: EntraTokenClient(http: context.services.http, urls: context.services.urls),
            oidc: configuration.conversion.pipelineOIDC, clock: context.clock, output: context.output,
            timeoutSeconds: configuration.clientSecret.replicationTimeoutSeconds, cancellation: context.cancellation)
        return FederationTools(
            context: context, connections: connections,
            credentials: FederatedCredentialClient(context: context.services, credential: identity),
            graph: GraphApplicationClient(context: context.services, credential: identity),
            proof: proof)
    }

    /// What retires the credentials federated connections no longer use.
    private func retirement(
        tools: FederationTools, connections: ServiceEndpointClient, context: ActionContext
    ) -> Retirement {
        let configuration = context.configuration
        let holders = SecretHolders(
            connections: connections, store: context.keyVault().map { SecretStore(keyVault: $0) },
            secretName: configuration.keyVault?.secretNameTemplate)
        return Retirement(
            tools: tools, holders: holders, graceHours: configuration.lifetimes.graceHours,
            removeSecret: configuration.conversion.removeSecretAfterConversion)
    }

    /// Finds every listed connection and decides; a missing or refused one stops the run before any change.
    private func decide(connections: ServiceEndpointClient, context: ActionContext) async throws -> [(
        ServiceEndpoint, ConversionDecision
    )] {
        let names = context.configuration.connections.serviceConnections
        let found = try await connections.endpoints(named: names)
        var decided: [(ServiceEndpoint, ConversionDecision)] = []
        var problems: [String] = []
        for name in names {
            guard let endpoint = found.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                problems.append(
                    "'\(name)': no service connection of that name in project \(target.project) (or the identity may not see it)."
                )
                continue
            }
            let decision = ConversionDecision.decide(
                endpoint, convertAutomatic: context.configuration.connections.convertAutomaticConnections)
            if case .refuse(let reason) = decision { problems.append("'\(endpoint.name)': \(reason)") }
            decided.append((endpoint, decision))
        }
        if !problems.isEmpty { throw RotationFailure.connectionsRefused(problems) }
        return decided
    }
}
