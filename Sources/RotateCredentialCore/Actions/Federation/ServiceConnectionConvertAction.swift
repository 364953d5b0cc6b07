/// `service-connection-convert`: moves the connections in `serviceConnections` from a client secret
/// to workload identity federation (and connections on the Azure DevOps issuer to the Entra issuer),
/// each on the one loop (``ConversionReconciler``); then, with `removeSecretAfterConversion`, retires
/// the client secret each application's converted connections used (``SecretRetirementReconciler``).
/// Every listed connection is found and checked before anything changes; a re-run changes nothing.
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
        let policy = ConversionPolicy(
            convertAutomatic: configuration.connections.convertAutomaticConnections,
            graceHours: configuration.lifetimes.graceHours)
        let endpoints = try await find(connections: connections, policy: policy, context: context)
        var outcomes: [ConversionOutcome] = []
        var applications: [String: GraphApplication] = [:]
        for endpoint in endpoints {
            let application = try await Self.application(of: endpoint, read: &applications, graph: tools.graph)
            let reconciler = ConversionReconciler(tools: tools, policy: policy)
            let outcome = await reconciler.run(from: try await reconciler.observe(endpoint, application: application))
            announceRevert(outcome, context: context)
            outcomes.append(outcome)
        }
        let retirements = await SecretRetirements(tools: tools, connections: connections).run(outcomes)
        return try finish(outcomes, retirements: retirements, policy: policy, context: context)
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

    /// The application of `endpoint`, read once per application.
    private static func application(
        of endpoint: ServiceEndpoint, read: inout [String: GraphApplication], graph: GraphApplicationClient
    ) async throws -> GraphApplication {
        let appId = endpoint.servicePrincipalId ?? ""
        if let known = read[appId.lowercased()] { return known }
        let application = try await graph.application(appId)
        read[appId.lowercased()] = application
        return application
    }

    /// Finds every listed connection; a missing or refused one stops the run before any change.
    private func find(connections: ServiceEndpointClient, policy: ConversionPolicy, context: ActionContext)
        async throws -> [ServiceEndpoint]
    {
        let names = context.configuration.connections.serviceConnections
        let found = try await connections.endpoints(named: names)
        var endpoints: [ServiceEndpoint] = []
        var problems: [String] = []
        for name in names {
            guard let endpoint = found.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                problems.append(
                    "'\(name)': no service connection of that name in project \(target.project) (or the identity may not see it)."
                )
                continue
            }
            if case .refused(let reason) = ConnectionKind.of(endpoint, convertAutomatic: policy.convertAutomatic) {
                problems.append("'\(endpoint.name)': \(reason)")
            } else if endpoint.servicePrincipalId == nil {
                problems.append(
                    "'\(endpoint.name)': it names no application (authorization.parameters.serviceprincipalid).")
            }
            endpoints.append(endpoint)
        }
        if !problems.isEmpty { throw RotationFailure.connectionsRefused(problems) }
        return endpoints
    }

    /// Says until when Azure DevOps can revert a conversion this run made.
    private func announceRevert(_ outcome: ConversionOutcome, context: ActionContext) {
        guard outcome.succeeded, outcome.events.contains(.converted), !context.configuration.dryRun,
            let deadline = outcome.latest.endpoint.revertSchemeDeadline
        else { return }
        let name = outcome.initial.endpoint.name
        context.output.info(
            "Azure DevOps can revert '\(name)' to its client secret until \(Timestamp.format(deadline)) (Project settings > Service connections > \(name) > Revert conversion)."
        )
    }

    /// Writes the report and the summary from the loops' outcomes.
    private func finish(
        _ outcomes: [ConversionOutcome], retirements: SecretRetirements.Result, policy: ConversionPolicy,
        context: ActionContext
    ) throws -> ActionResult {
        let dryRun = context.configuration.dryRun
        let notes =
            outcomes.flatMap { RetirementNote.notes($0, policy: policy, dryRun: dryRun) }
            + retirements.outcomes.compactMap { RetirementNote.note($0, dryRun: dryRun) } + retirements.unchecked
        for note in notes { context.output.info("\(note.credential): \(note.outcome)") }
        let failures =
            outcomes.flatMap { Self.failures($0.failedPlan, $0.failure, subject: "service connection") }
            + retirements.outcomes.flatMap { Self.failures($0.failedPlan, $0.failure, subject: "client secret") }
        let changed =
            !dryRun && (outcomes.contains(where: \.changed) || retirements.outcomes.contains { !$0.removed.isEmpty })
        var report = ConversionReport(action: context.configuration.action.rawValue, dryRun: dryRun, changed: changed)
        report.connections = outcomes.map { ConversionReport.Connection($0, policy: policy, dryRun: dryRun) }
        report.retirements = notes
        report.completedSteps = outcomes.flatMap(\.completed) + retirements.outcomes.flatMap(\.completed)
        report.failures = failures.map(\.stateReport)
        try context.writeReport(report)
        return ActionResult(changed: changed, summaryMarkdown: ConversionSummary.markdown(report), failures: failures)
    }

    /// A loop's failed plan, or its failure as a plan outcome.
    private static func failures(_ plan: PlanOutcome?, _ failure: RotationFailure?, subject: String) -> [PlanOutcome] {
        [plan].compactMap { $0 } + [failure].compactMap { $0 }.map { PlanOutcome(failed: subject, error: $0) }
    }
}
