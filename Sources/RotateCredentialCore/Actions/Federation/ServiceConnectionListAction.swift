/// `service-connection-list`: a read-only inventory of the connections of `project` (or the ones in
/// `serviceConnections`): scheme, issuer, application, creation mode, and what to do about each
/// (convert, move issuer before 2027-07-01, rotate, nothing), as a table, a summary and a JSON report.
struct ServiceConnectionListAction: TaskAction {
    /// The project whose connections are listed, and the identity that reads them.
    let target: ConnectionsAccess

    func run(_ context: ActionContext) async throws -> ActionResult {
        let configuration = context.configuration
        let project = target.project
        let client = ServiceEndpointClient(context: context.services, credential: target.identity, project: project)
        let names = configuration.connections.serviceConnections
        let endpoints = names.isEmpty ? try await client.allEndpoints() : try await client.endpoints(named: names)
        let missing = names.filter { name in !endpoints.contains { $0.name.lowercased() == name.lowercased() } }
        let rows = endpoints.sorted { $0.name.lowercased() < $1.name.lowercased() }.map(ConnectionInventory.Row.init)
        for row in rows { context.output.info(row.line) }
        for name in missing {
            context.output.warning(
                "Service connection '\(name)' was not found in project \(project) (or the identity may not see it).")
        }
        let inventory = ConnectionInventory(project: project, rows: rows, missing: missing)
        try context.writeReport(inventory.report(action: configuration.action.rawValue))
        return ActionResult(changed: false, summaryMarkdown: inventory.markdown)
    }
}

/// The inventory's rows and their rendering.
struct ConnectionInventory: Sendable {
    let project: String
    let rows: [Row]
    let missing: [String]

    /// One connection: its facts (the issuer and subject only when it is federated) and the advice.
    struct Row: MergedEncodable, Sendable, Equatable {
        var base: ConnectionFacts
        var extra: Advice

        init(_ endpoint: ServiceEndpoint) {
            let federated = endpoint.isWorkloadIdentityFederation
            base = ConnectionFacts(
                endpoint, issuer: federated ? endpoint.federationIssuer : nil,
                subject: federated ? endpoint.federationSubject : nil)
            var (advice, reason) = Self.advise(endpoint)
            if endpoint.operationState?.lowercased() == "failed" {
                reason += " (its last operation failed: \(endpoint.operationMessage ?? "no message"))"
            }
            extra = Advice(
                type: endpoint.type, authenticationType: endpoint.authenticationType,
                issuerKind: base.issuer.map { FederationIssuer($0).rawValue }, creationMode: endpoint.creationMode,
                advice: advice, reason: reason)
        }

        static func advise(_ endpoint: ServiceEndpoint) -> (String, String) {
            switch ConnectionKind.of(endpoint, convertAutomatic: true) {
            case .secret(let automatic):
                return (
                    "convert",
                    automatic
                        ? "client secret on a connection Azure DevOps created: service-connection-convert with convertAutomaticConnections: true"
                        : "client secret: service-connection-convert removes it for good"
                )
            case .azureDevOpsIssuer:
                return (
                    "move issuer",
                    "federated on the Azure DevOps issuer, which stops working on \(FederationIssuer.azureDevOpsIssuerDeadline): service-connection-convert moves it to the Entra issuer"
                )
            case .federated:
                return ("none", "workload identity federation: no secret to rotate")
            case .refused(let reason):
                let secretBased =
                    endpoint.parameters.member(caseInsensitive: "serviceprincipalkey") != nil
                    || endpoint.usesClientSecret
                return (secretBased ? "rotate" : "none", reason)
            }
        }

        var line: String {
            "\(base.name): \(base.scheme)\(extra.issuerKind.map { " (\($0) issuer)" } ?? ""), application \(base.applicationId ?? "-"), \(extra.creationMode ?? "-"): \(extra.advice) — \(extra.reason)"
        }
    }

    /// What the list adds to a connection's facts: its kind, how it was created and what to do.
    struct Advice: Sendable, Encodable, Equatable {
        var type: String
        var authenticationType: String?
        var issuerKind: String?
        var creationMode: String?
        /// convert, move issuer, rotate or none.
        var advice: String
        var reason: String
    }

    private struct Report: Encodable {
        var action: String
        var dryRun = false
        var changed = false
        var project: String
        var azureDevOpsIssuerDeadline = FederationIssuer.azureDevOpsIssuerDeadline
        var counts: [String: Int]
        var connections: [Row]
        var missing: [String]
    }

    func report(action: String) -> some Encodable {
        Report(action: action, project: project, counts: counts, connections: rows, missing: missing)
    }

    var counts: [String: Int] { Dictionary(rows.map { ($0.advice, 1) }, uniquingKeysWith: +) }

    var markdown: String {
        var lines = ["### Service connections of \(project)", ""]
        let summary = ["convert", "move issuer", "rotate", "none"].compactMap { key in
            counts[key].map { "\($0) \(key)" }
        }
        lines.append("\(rows.count) connection(s): \(summary.joined(separator: ", ")).")
        if counts["move issuer"] != nil {
            lines.append(
                "Connections on the Azure DevOps issuer must move to the Entra issuer before \(FederationIssuer.azureDevOpsIssuerDeadline)."
            )
        }
        lines += ["", "| Connection | Scheme | Issuer | Application | Creation | To do |", "|---|---|---|---|---|---|"]
        for row in rows {
            lines.append(
                "| `\(row.name)` | \(row.scheme) | \(row.issuerKind ?? "-") | \(row.applicationId ?? "-") | \(row.creationMode ?? "-") | \(row.advice) |"
            )
        }
        for name in missing { lines.append("- `\(name)`: not found") }
        return lines.joined(separator: "\n") + "\n"
    }
}
