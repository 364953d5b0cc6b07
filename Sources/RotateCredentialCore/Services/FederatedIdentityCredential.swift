/// A federated identity credential of an application, as Microsoft Graph v1.0 returns it
/// (microsoft-graph-docs-contrib `api-reference/v1.0/resources/federatedidentitycredential.md`):
/// `name` (≤ 120 characters, URL friendly, immutable), `issuer` and `subject` (≤ 600 characters,
/// the pair unique within the app), `audiences` (one value; `api://AzureADTokenExchange` for Entra),
/// `description` (≤ 600 characters, unvalidated).
struct FederatedIdentityCredential: Sendable, Codable, Equatable {
    /// Graph's id (absent in a create request).
    var id: String?
    /// The credential's name.
    var name: String
    /// The issuer the external token must carry (`iss`).
    var issuer: String
    /// The subject the external token must carry (`sub`).
    var subject: String
    /// What the external token's `aud` must be.
    var audiences: [String] = [FederatedIdentityCredential.entraAudience]
    /// Free text; this task records there which connection it serves and when it was created.
    var description: String?

    /// The audience Entra expects for workload identity federation (Graph resource docs; Azure
    /// DevOps docs `automate-service-connections.md`).
    static let entraAudience = "api://AzureADTokenExchange"

    /// Whether a token with `issuer` and `subject` (and the Entra audience) matches this credential.
    func matches(issuer: String, subject: String) -> Bool {
        self.issuer == issuer && self.subject == subject && audiences.contains(Self.entraAudience)
    }

    /// "'name' (issuer …, subject …)", for log lines.
    var label: String { "federated credential '\(name)' (issuer \(issuer), subject \(subject))" }
}
