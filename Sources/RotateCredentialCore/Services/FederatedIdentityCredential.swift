/// A federated identity credential of an application, as Microsoft Graph v1.0 returns it
/// (microsoft-graph-docs-contrib `api-reference/v1.0/resources/federatedidentitycredential.md`):
/// `name` (≤ 120 characters, URL friendly, immutable), `issuer` and `subject` (≤ 600 characters,
/// the pair unique within the app), `audiences` (one value; `api://AzureADTokenExchange` for Entra),
/// `description` (≤ 600 characters, unvalidated).
public struct FederatedIdentityCredential: Sendable, Codable, Equatable {
    /// Graph's id (absent in a create request).
    public var id: String?
    /// The credential's name.
    public var name: String
    /// The issuer the external token must carry (`iss`).
    public var issuer: String
    /// The subject the external token must carry (`sub`).
    public var subject: String
    /// What the external token's `aud` must be.
    public var audiences: [String] = [FederatedIdentityCredential.entraAudience]
    /// Free text; this task records there which connection it serves and when it was created.
    public var description: String?

    /// The audience Entra expects for workload identity federation (Graph resource docs; Azure
    /// DevOps docs `automate-service-connections.md`).
    public static let entraAudience = "api://AzureADTokenExchange"

    /// Whether a token with `issuer` and `subject` (and the Entra audience) matches this credential.
    public func matches(issuer: String, subject: String) -> Bool {
        self.issuer == issuer && self.subject == subject && audiences.contains(Self.entraAudience)
    }

    /// "'name' (issuer …, subject …)", for log lines.
    public var label: String { "federated credential '\(name)' (issuer \(issuer), subject \(subject))" }
}
