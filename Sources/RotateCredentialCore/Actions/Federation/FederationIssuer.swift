/// Which issuer a federated connection's tokens come from, read from what Azure DevOps states
/// (`workloadIdentityFederationIssuer`), never guessed.
///
/// Sources: MicrosoftDocs/azure-devops-docs `docs/pipelines/release/troubleshoot-workload-identity.md`
/// ("Check the issuer URL for accuracy"): the Azure DevOps issuer is
/// `https://vstoken.dev.azure.com/<organization id>` with subject
/// `sc://<organization name>/<project name>/<service connection name>`; the Microsoft Entra issuer
/// (new service connections) is `https://login.microsoftonline.com/<Entra tenant id>/v2.0` with subject
/// `<microsoft entra prefix>/sc/<organization id>/<service connection id>` (an opaque `/eid1/…`
/// prefix). "You can fix the issuer URL by editing and saving the service connection." Connections
/// on the Azure DevOps issuer must move to the Entra issuer by 2027-07-01 (Azure DevOps
/// announcement, recorded in shared notes peers.md §1.12 and in issue #17).
enum FederationIssuer: String, Sendable, Codable, Equatable {
    /// `https://login.microsoftonline.com/{tenantId}/v2.0`.
    case entra
    /// `https://vstoken.dev.azure.com/{organizationId}` (deprecated, retired 2027-07-01).
    case azureDevOps
    /// Something else (a sovereign cloud's authority, a typo).
    case other

    /// The day the Azure DevOps issuer stops working.
    static let azureDevOpsIssuerDeadline = "2027-07-01"

    /// Classifies `issuer`.
    init(_ issuer: String) {
        let lower = issuer.lowercased()
        if lower.hasPrefix("https://vstoken.dev.azure.com/") || lower.hasPrefix("https://app.vstoken.visualstudio.com")
        {
            self = .azureDevOps
        } else if lower.hasPrefix("https://login.microsoftonline.com/") && lower.hasSuffix("/v2.0") {
            self = .entra
        } else {
            self = .other
        }
    }
}
