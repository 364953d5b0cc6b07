/// What one PAT family looks like at one moment: the live tokens of a display name at the source,
/// and what Key Vault (the consumer this task writes) holds for it.
struct PatObservation: Sendable, Equatable {
    /// The display name.
    var displayName: String
    /// The Key Vault secret that holds its value.
    var secretName: String
    /// The live tokens of that name, newest (latest `validFrom`) first.
    var tokens: [PersonalAccessToken]
    /// Key Vault's current version, when its tags name a token; nil when the secret does not
    /// exist or records no token (consumers were then given a value by hand).
    var record: Record?

    /// What Key Vault's current version records.
    struct Record: Sendable, Equatable {
        /// The authorization id in the version's tags.
        var authorizationId: String
        /// The version's id.
        var versionId: String
        /// When the version was written (Key Vault's clock).
        var stored: Date?
    }

    /// The token Key Vault holds, when it is live.
    var held: PersonalAccessToken? {
        guard let id = record?.authorizationId.lowercased() else { return nil }
        return tokens.first { $0.authorizationId.lowercased() == id }
    }
}

/// How a PAT action wants a family to end up.
struct PatPolicy: Sendable, Equatable {
    /// What the action does with tokens Key Vault no longer holds.
    enum Mode: Sendable, Equatable {
        /// `pat-rotate`: replace when due, then revoke the superseded tokens at once.
        case rotate
        /// `pat-create`: replace when due; superseded tokens stay for `pat-revoke`.
        case createOnly
        /// `pat-revoke`: revoke superseded tokens once the held one was stored `graceHours` ago.
        case revokeOld
    }

    var mode: Mode
    /// A token expiring within this many days is due (0: always).
    var renewWithinDays: Int
    /// Hours a stored replacement must exist before `pat-revoke` revokes what it replaced.
    var graceHours: Int
    /// Tokens created by this run: never due again in the same run.
    var createdThisRun: Set<String> = []
    /// Slack for comparing timestamps of different services (Azure DevOps and Key Vault).
    static let tolerance: TimeInterval = 120
}
