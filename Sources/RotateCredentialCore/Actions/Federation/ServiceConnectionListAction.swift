/// `service-connection-list`: a read-only inventory of the connections of `project` (or the ones in
/// `serviceConnections`): scheme, issuer, application, creation mode, and what to do about each
/// (convert, move issuer before 2027-07-01, rotate, nothing), as a table, a summary and a JSON report.
struct ServiceConnectionListAction: TaskAction {
    func run(_ context: ActionContext) async throws -> ActionResult {
        let configuration = context.configuration
        guard let project = configuration.project, let identity = configuration.azureDevOpsIdentity else {
            throw RotationFailure.missingInput("project and an Azure DevOps identity are required.")
        }
        let client = ServiceEndpointClient(context: context.services, credential: identity, project: project)
        let names = configuration.appSecret.serviceConnections
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

    /// One connection.
    struct Row: Sendable, Encodable, Equatable {
        var name: String
        var id: String
        var type: String
        var scheme: String
        var authenticationType: String?
        var issuer: String?
        var issuerKind: String?
        var subject: String?
        var applicationId: String?
        var creationMode: String?
        var isReady: Bool?
        var revertDeadline: String?
        var advice: String
        var reason: String

        init(_ endpoint: ServiceEndpoint) {
            name = endpoint.name
            id = endpoint.id
            type = endpoint.type
            scheme = endpoint.scheme
            authenticationType = endpoint.authenticationType
            issuer = endpoint.isWorkloadIdentityFederation ? endpoint.federationIssuer : nil
            issuerKind =
                endpoint.isWorkloadIdentityFederation
                ? endpoint.federationIssuer.map { FederationIssuer($0).rawValue } : nil
            subject = endpoint.isWorkloadIdentityFederation ? endpoint.federationSubject : nil
            applicationId = endpoint.servicePrincipalId
            creationMode = endpoint.creationMode
            isReady = endpoint.isReady
            revertDeadline = endpoint.revertSchemeDeadline.map(Timestamp.format)
            (advice, reason) = Self.advise(endpoint)
        }

        static func advise(_ endpoint: ServiceEndpoint) -> (String, String) {
            switch ConversionDecision.decide(endpoint, convertAutomatic: true) {
            case .convert(let automatic):
                return (
                    "convert",
                    automatic
                        ? "client secret on a connection Azure DevOps created: service-connection-convert with convertAutomaticConnections: true"
                        : "client secret: service-connection-convert removes it for good"
                )
            case .moveIssuer:
                return (
                    "move issuer",
                    "federated on the Azure DevOps issuer, which stops working on \(FederationIssuer.azureDevOpsIssuerDeadline): service-connection-convert moves it to the Entra issuer"
                )
            case .federated:
                return ("none", "workload identity federation: no secret to rotate")
            case .refuse(let reason):
                let secretBased =
                    endpoint.parameters.member(caseInsensitive: "serviceprincipalkey") != nil
                    || endpoint.usesClientSecret
                return (secretBased ? "rotate" : "none", reason)
            }
        }

        var line: String {
            "\(name): \(scheme)\(issuerKind.map { " (\($0) issuer)" } ?? ""), application \(applicationId ?? "-"), \(creationMode ?? "-"): \(advice) — \(reason)"
        }
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
