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

/// What one connection's plan learned so far (steps run in order; later steps read what earlier
/// ones found).
actor ConnectionProgress {
    private(set) var endpoint: ServiceEndpoint
    private(set) var issuer: String?
    private(set) var subject: String?
    private(set) var converted = false
    private(set) var proof: String?
    private(set) var gapStarted: Date?
    private(set) var gapSeconds: Double?

    init(_ endpoint: ServiceEndpoint) {
        self.endpoint = endpoint
    }

    func stated(issuer: String, subject: String, endpoint: ServiceEndpoint? = nil) {
        self.issuer = issuer
        self.subject = subject
        if let endpoint { self.endpoint = endpoint }
    }

    func converted(_ endpoint: ServiceEndpoint) {
        self.endpoint = endpoint
        converted = true
    }

    func readBack(_ endpoint: ServiceEndpoint) { self.endpoint = endpoint }
    func proven(_ text: String) { proof = text }
    func gapStarts(_ at: Date) { gapStarted = at }
    func gapEnds(_ at: Date) {
        if let gapStarted { gapSeconds = at.timeIntervalSince(gapStarted) }
    }
}
