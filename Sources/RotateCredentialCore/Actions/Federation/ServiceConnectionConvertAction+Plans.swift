extension ServiceConnectionConvertAction {
    /// Runs one connection's plan (none when it is already federated on Entra) and reports it.
    func federate(
        _ endpoint: ServiceEndpoint, decision: ConversionDecision, tools: FederationTools, context: ActionContext
    ) async throws -> (ConversionReport.Connection, PlanOutcome?, ServiceEndpoint?) {
        var row = Self.row(endpoint, decision: decision)
        if decision == .federated {
            return try await verify(endpoint, row: row, tools: tools, context: context)
        }
        guard let appId = endpoint.servicePrincipalId else {
            throw FederationFailure.incomplete(name: endpoint.name, missing: "serviceprincipalid")
        }
        let application = try await tools.graph.application(appId)
        let progress = ConnectionProgress(endpoint)
        let plan = try await Self.plan(
            endpoint, decision: decision, application: application, tools: tools, progress: progress)
        let outcome = await context.runner.run(plan)
        let current = await progress.endpoint
        await Self.fill(&row, from: current, progress: progress)
        row.outcome = Self.outcome(decision, outcome: outcome, dryRun: context.configuration.dryRun)
        if let deadline = row.revertDeadline, outcome.succeeded, !context.configuration.dryRun {
            context.output.info(
                "Azure DevOps can revert '\(endpoint.name)' to its client secret until \(deadline) (Project settings > Service connections > \(endpoint.name) > Revert conversion)."
            )
        }
        let done = outcome.succeeded && !context.configuration.dryRun
        return (row, outcome, done ? current : nil)
    }

    /// A connection already federated is done only when its application has the federated credential
    /// for the issuer and subject it states and the job's exchange works: the run adds a missing
    /// credential (when it may) and proves it, or fails naming what is missing.
    func verify(
        _ endpoint: ServiceEndpoint, row: ConversionReport.Connection, tools: FederationTools, context: ActionContext
    ) async throws -> (ConversionReport.Connection, PlanOutcome?, ServiceEndpoint?) {
        var row = row
        guard let appId = endpoint.servicePrincipalId, let issuer = endpoint.federationIssuer,
            let subject = endpoint.federationSubject
        else {
            throw FederationFailure.incomplete(
                name: endpoint.name, missing: "serviceprincipalid, workloadIdentityFederationIssuer or Subject")
        }
        let application = try await tools.graph.application(appId)
        let credentials = try await tools.credentials.list(objectId: application.id)
        let missing = !credentials.contains { $0.matches(issuer: issuer, subject: subject) }
        context.output.info(
            missing
                ? "Service connection '\(endpoint.name)' uses workload identity federation, but application \(application.label) has no federated credential for issuer \(issuer) and subject \(subject)."
                : "Service connection '\(endpoint.name)' already uses workload identity federation and application \(application.label) has its federated credential; nothing to convert."
        )
        let progress = ConnectionProgress(endpoint)
        await progress.stated(issuer: issuer, subject: subject)
        let steps = FederationSteps(tools: tools, objectId: application.id, appLabel: application.label)
        let plan = Plan(
            missing
                ? "Give service connection '\(endpoint.name)' its missing federated credential"
                : "Prove service connection '\(endpoint.name)'",
            untouched: missing
                ? "Service connection '\(endpoint.name)' uses workload identity federation, but application \(application.label) has no federated credential for issuer \(issuer) and subject \(subject) (audience \(FederatedIdentityCredential.entraAudience)): pipelines using it cannot sign in until one is added."
                : nil,
            steps: steps.verify(endpoint, missing: missing, progress: progress))
        let outcome = await context.runner.run(plan)
        await Self.fill(&row, from: endpoint, progress: progress)
        row.outcome = Self.verified(missing: missing, outcome: outcome, dryRun: context.configuration.dryRun)
        return (row, outcome, outcome.succeeded ? endpoint : nil)
    }

    /// The outcome of a federated connection's check.
    static func verified(missing: Bool, outcome: PlanOutcome, dryRun: Bool) -> String {
        guard outcome.succeeded else { return "failed at '\(outcome.failure?.step ?? "")'" }
        if !missing { return "up to date (federated)" }
        return dryRun ? "would add the missing federated credential" : "federated credential added"
    }

    /// The plan for a connection to convert or to move to the Entra issuer.
    static func plan(
        _ endpoint: ServiceEndpoint, decision: ConversionDecision, application: GraphApplication,
        tools: FederationTools,
        progress: ConnectionProgress
    ) async throws -> Plan {
        let steps = FederationSteps(tools: tools, objectId: application.id, appLabel: application.label)
        guard decision == .moveIssuer else {
            return Plan(
                "Convert service connection '\(endpoint.name)' to workload identity federation",
                untouched:
                    "Service connection '\(endpoint.name)' keeps working: on its client secret, or on its federated credential when the conversion completed (in this run and was not undone, or later in the background, once Azure DevOps had accepted it); a re-run proves it.",
                steps: steps.convert(endpoint, progress: progress))
        }
        let credentials = try await tools.credentials.list(objectId: application.id)
        let old = credentials.first { credential in
            endpoint.federationIssuer.map { credential.matches(issuer: $0, subject: endpoint.federationSubject ?? "") }
                == true
        }
        return Plan(
            "Move service connection '\(endpoint.name)' from the Azure DevOps issuer to the Entra issuer",
            untouched:
                "Service connection '\(endpoint.name)' stays as the completed steps left it; its old federated credential is kept.",
            steps: steps.moveIssuer(endpoint, old: old, progress: progress))
    }

    /// The report row of `endpoint` before its plan runs (no outcome yet).
    static func row(_ endpoint: ServiceEndpoint, decision: ConversionDecision) -> ConversionReport.Connection {
        ConversionReport.Connection(
            base: ConnectionFacts(endpoint, issuer: endpoint.federationIssuer, subject: endpoint.federationSubject),
            extra: ConversionReport.Progress(
                decision: decision.label, operationStatus: endpoint.operationState, outcome: ""))
    }

    /// The report row as the plan left the connection.
    static func fill(
        _ row: inout ConversionReport.Connection, from current: ServiceEndpoint, progress: ConnectionProgress
    ) async {
        let learnedIssuer = await progress.issuer
        let learnedSubject = await progress.subject
        row.scheme = current.scheme
        row.issuer = current.federationIssuer ?? learnedIssuer
        row.subject = current.federationSubject ?? learnedSubject
        row.isReady = current.isReady
        row.operationStatus = current.operationState
        row.revertDeadline = current.revertSchemeDeadline.map(Timestamp.format)
        row.proof = await progress.proof
        row.gapSeconds = await progress.gapSeconds
    }

    static func outcome(_ decision: ConversionDecision, outcome: PlanOutcome, dryRun: Bool) -> String {
        let verb = decision == .moveIssuer ? "moved to the Entra issuer" : "converted to workload identity federation"
        if dryRun { return "would be \(verb)" }
        return outcome.succeeded ? verb : "failed at '\(outcome.failure?.step ?? "")'"
    }

    /// Phase two: retirements for the connections now federated on Entra, grouped by application.
    func retire(_ federated: [ServiceEndpoint], retirement: Retirement, context: ActionContext) async -> (
        notes: [Retirement.Note], outcome: PlanOutcome
    ) {
        var byApp: [String: [ServiceEndpoint]] = [:]
        for endpoint in federated {
            if let appId = endpoint.servicePrincipalId?.lowercased() { byApp[appId, default: []].append(endpoint) }
        }
        var steps: [Step] = []
        var notes: [Retirement.Note] = []
        for appId in byApp.keys.sorted() {
            do {
                let planned = try await retirement.plan(appId: appId, endpoints: byApp[appId] ?? [])
                steps += planned.steps
                notes += planned.notes
            } catch {
                notes.append(
                    .init(applicationId: appId, credential: "retired credentials", outcome: "not checked: \(error)"))
            }
        }
        let plan = Plan(
            "Retire what federated connections no longer use", untouched: "Credentials not listed as removed stay.",
            steps: steps)
        let outcome = await context.runner.run(plan)
        for index in notes.indices where notes[index].outcome.hasPrefix("removed") {
            let done = outcome.completed.contains {
                $0.contains(notes[index].credential.replacingOccurrences(of: "client secret ", with: ""))
            }
            if context.configuration.dryRun {
                notes[index].outcome = "would be " + notes[index].outcome
            } else if !done {
                notes[index].outcome = "not removed (the step failed or did not run): " + notes[index].outcome
            }
        }
        for note in notes { context.output.info("\(note.credential): \(note.outcome)") }
        return (notes, outcome)
    }
}
