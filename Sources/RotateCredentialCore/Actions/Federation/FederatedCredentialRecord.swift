/// What this task writes into the `description` of a federated credential it creates (Graph keeps
/// up to 600 characters, unvalidated), and reads back on later runs: which connection it serves,
/// when it was created (the grace period of the credential or secret it replaces counts from
/// there), and which older credential it replaces. Graph records no creation time itself.
enum FederatedCredentialRecord {
    /// The description for a credential serving `endpoint`, created at `created`.
    static func description(for endpoint: ServiceEndpoint, created: Date, replaces: String?) -> String {
        var text =
            "rotate-credential: service connection '\(endpoint.name)' (\(endpoint.id)), created \(Timestamp.format(created))"
        if let replaces { text += ", replaces federated credential '\(replaces)'" }
        return String(text.prefix(600))
    }

    /// The name for a credential serving `endpoint` on `issuer` (≤ 120 characters, URL friendly).
    static func name(for endpoint: ServiceEndpoint, issuer: FederationIssuer) -> String {
        "rotate-credential-\(endpoint.id)-\(issuer.rawValue)"
    }

    /// When the credential says it was created.
    static func created(_ credential: FederatedIdentityCredential) -> Date? {
        guard let text = credential.description, text.hasPrefix("rotate-credential:"),
            let range = text.range(of: ", created ")
        else { return nil }
        let rest = text[range.upperBound...]
        return Timestamp.parse(String(rest.prefix { $0 != "," }))
    }

    /// The name of the credential it replaces.
    static func replaces(_ credential: FederatedIdentityCredential) -> String? {
        guard let text = credential.description, let range = text.range(of: "replaces federated credential '") else {
            return nil
        }
        return String(text[range.upperBound...].prefix { $0 != "'" })
    }
}
