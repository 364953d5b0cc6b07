/// A service connection as Azure DevOps returns it, kept whole as JSON so that a PUT sends back
/// every field it had (project references, data, fields this task does not know).
struct ServiceEndpoint: Sendable, Equatable {
    /// The full body.
    var body: JSONValue

    /// Wraps a body.
    init(_ body: JSONValue) {
        self.body = body
    }

    /// The connection's id.
    var id: String { body["id"]?.stringValue ?? "" }
    /// The connection's name.
    var name: String { body["name"]?.stringValue ?? id }
    /// `authorization.scheme`, e.g. `ServicePrincipal` or `WorkloadIdentityFederation`.
    var scheme: String { body["authorization"]?["scheme"]?.stringValue ?? "" }
    /// `authorization.parameters`.
    var parameters: JSONValue { body["authorization"]?["parameters"] ?? .object([:]) }
    /// `authorization.parameters.serviceprincipalid`: the appId it signs in as.
    var servicePrincipalId: String? { parameter("serviceprincipalid") }
    /// `authorization.parameters.tenantid`.
    var tenantId: String? { parameter("tenantid") }
    /// `authorization.parameters.authenticationType` (`spnKey`, `spnCertificate`).
    var authenticationType: String? { parameter("authenticationType") }
    /// `data.creationMode` (`Manual`, `Automatic`).
    var creationMode: String? { body["data"]?.member(caseInsensitive: "creationMode")?.value.stringValue }
    /// `isReady`.
    var isReady: Bool? { body["isReady"]?.boolValue }
    /// `operationStatus.state` (`Ready`, `Failed`, …).
    var operationState: String? { body["operationStatus"]?["state"]?.stringValue }
    /// `operationStatus.statusMessage`.
    var operationMessage: String? { body["operationStatus"]?["statusMessage"]?.stringValue }

    /// Whether the connection signs in with workload identity federation (no secret).
    var isWorkloadIdentityFederation: Bool { scheme.lowercased() == "workloadidentityfederation" }
    /// Whether the connection was created by Azure DevOps with its own service principal.
    var isAutomatic: Bool { creationMode?.lowercased() == "automatic" }

    /// The id of project `name` (a name or an id) among the connection's project references; nil
    /// when it names no such project.
    func projectId(named name: String) -> String? {
        guard case .array(let references) = body["serviceEndpointProjectReferences"] ?? .null else { return nil }
        let wanted = name.lowercased()
        return references.lazy.compactMap { $0["projectReference"] }
            .first { [$0["name"]?.stringValue, $0["id"]?.stringValue].contains { $0?.lowercased() == wanted } }?["id"]?
            .stringValue
    }

    /// A parameter of `authorization.parameters`, by case-insensitive name.
    func parameter(_ name: String) -> String? {
        parameters.member(caseInsensitive: name)?.value.stringValue
    }
}
