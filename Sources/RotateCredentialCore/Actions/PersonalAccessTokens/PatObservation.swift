/// What one PAT family looks like at one moment: the live tokens of a display name at the source,
/// what Key Vault (the consumer this task writes) holds for it, and the task's record of what it
/// set out to create and which tokens people made.
struct PatObservation: Sendable, Equatable {
    /// The display name.
    var displayName: String
    /// The Key Vault secret that holds its value.
    var secretName: String
    /// The live tokens of that name, newest (latest `validFrom`) first.
    var tokens: [PersonalAccessToken]
    /// Key Vault's current version, when its tags name a token; nil when the secret does not
    /// exist or records no token (consumers were then given a value by hand).
    var stored: StoredVersion?
    /// The task's record of the organization's PATs (intents, tokens people made).
    var record: CredentialRecord

    /// What Key Vault's current version records.
    struct StoredVersion: Sendable, Equatable {
        /// The authorization id in the version's tags.
        var authorizationId: String
        /// The version's id.
        var versionId: String
        /// When the version was written (Key Vault's clock).
        var stored: Date?
        /// The token the version replaced (its `replaces` tag).
        var replaces: String?
    }

    /// The token Key Vault holds, when it is live.
    var held: PersonalAccessToken? {
        guard let id = stored?.authorizationId.lowercased() else { return nil }
        return tokens.first { $0.authorizationId.lowercased() == id }
    }

    /// The family's tokens sorted by who owns them (see ``PatOwnership``).
    func ownership(createdThisRun: Set<String>) -> PatOwnership {
        PatOwnership(self, createdThisRun: createdThisRun)
    }
}

/// The tokens of a family other than the held one, by whose they are, from the task's record
/// (never from names or times alone):
/// - an **orphan** was created inside an intent the task recorded, is newer than the held token
///   (or was made by the same run as the held one, a create that landed late) and held by
///   nobody: its value was lost (a run was killed or cancelled before storing it);
/// - a **superseded** token is older than the held one (or the one the held version replaced):
///   what a rotation replaces;
/// - an **unmanaged** token was made by a person: newer than the held one outside any intent, or
///   recorded as such; no action ever revokes it;
/// - without a held token, tokens outside any intent are **unheld**: consumers were given one by
///   hand, the task cannot tell which.
struct PatOwnership: Sendable, Equatable {
    var held: PersonalAccessToken?
    var orphans: [PersonalAccessToken] = []
    var superseded: [PersonalAccessToken] = []
    var unmanaged: [PersonalAccessToken] = []
    var unheld: [PersonalAccessToken] = []

    init(_ observation: PatObservation, createdThisRun: Set<String>) {
        let held = observation.held
        self.held = held
        let created = Set(createdThisRun.map { $0.lowercased() })
        for token in observation.tokens where token != held {
            let id = token.authorizationId.lowercased()
            let record = observation.record
            let newer = held.map { token.validFrom > $0.validFrom } ?? true
            let replaced = observation.stored?.replaces?.lowercased() == id
            if record.isUnmanaged(id) {
                unmanaged.append(token)
            } else if created.contains(id) {
                continue  // this run's own, being stored
            } else if held != nil, replaced {
                superseded.append(token)  // the token Key Vault's version replaced, whatever its dates
            } else if record.isInsideIntent(id: id, name: token.displayName, start: token.validFrom),
                newer || Self.sameRun(token, as: held, record: record)
            {
                orphans.append(token)
            } else if held != nil, !newer {
                superseded.append(token)
            } else if held == nil {
                unheld.append(token)
            } else {
                unmanaged.append(token)
            }
        }
    }

    /// Whether `token` was created by the run that created `held` (a create that landed late).
    private static func sameRun(_ token: PersonalAccessToken, as held: PersonalAccessToken?, record: CredentialRecord)
        -> Bool
    {
        guard let held else { return false }
        return record.shareOpenIntent(name: token.displayName, held.validFrom, token.validFrom)
    }
}
