/// What a connection says about workload identity federation.
extension ServiceEndpoint {
    /// `authorization.parameters.workloadIdentityFederationIssuer`, as Azure DevOps states it.
    var federationIssuer: String? {
        parameter("workloadIdentityFederationIssuer").flatMap { $0.isEmpty ? nil : $0 }
    }
    /// `authorization.parameters.workloadIdentityFederationSubject`, as Azure DevOps states it.
    var federationSubject: String? {
        parameter("workloadIdentityFederationSubject").flatMap { $0.isEmpty ? nil : $0 }
    }
    /// `type` (`azurerm` for Azure Resource Manager).
    var type: String { body["type"]?.stringValue ?? "" }
    /// `url`: for an AzureRM connection, the Resource Manager endpoint it deploys to.
    var resourceManagerURL: String? { body["url"]?.stringValue }
    /// `data.revertSchemeDeadline`: until when Azure DevOps can revert a conversion.
    var revertSchemeDeadline: Date? {
        body["data"]?.member(caseInsensitive: "revertSchemeDeadline")?.value.stringValue.flatMap(Timestamp.parse)
    }
    /// Whether the connection is shared with other projects (`isShared`, or several project references).
    var isSharedAcrossProjects: Bool {
        if body["isShared"]?.boolValue == true { return true }
        if case .array(let references)? = body["serviceEndpointProjectReferences"] { return references.count > 1 }
        return false
    }
    /// Whether the connection signs in with a client secret (`ServicePrincipal`, `spnKey`).
    var usesClientSecret: Bool {
        scheme.lowercased() == "serviceprincipal" && (authenticationType ?? "spnKey").lowercased() == "spnkey"
    }
}
