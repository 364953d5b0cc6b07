/// What one application's client secrets look like at one moment, and what each consumer holds:
/// Key Vault's current version (its `keyId` tag) and, per listed service connection, whether the
/// record says it was given that version (a connection's key cannot be read back).
struct AppSecretObservation: Sendable, Equatable {
    /// The application's object id, appId and label.
    var objectId: String
    var appId: String
    var label: String
    /// Its client secrets (without values).
    var passwords: [PasswordCredential]
    /// Key Vault's current version, when a vault is configured and the version names a keyId.
    var record: Record?
    /// Whether a vault is configured (the record lives there).
    var hasVault: Bool
    /// The connections to keep up to date, by name, in input order.
    var connections: [String]

    /// What Key Vault's current version records.
    struct Record: Sendable, Equatable {
        /// The keyId tag.
        var keyId: String
        /// The version's id.
        var versionId: String
        /// When it was written (Key Vault's clock).
        var stored: Date?
        /// Connections (lower-cased names) given this version, from its tags.
        var connections: Set<String>
    }

    /// The client secret Key Vault holds, when it is live.
    var held: PasswordCredential? {
        guard let keyId = record?.keyId.lowercased() else { return nil }
        return passwords.first { $0.keyId.lowercased() == keyId }
    }

    /// Connections the record does not show as given the current version.
    var connectionsBehind: [String] {
        let given = record?.connections ?? []
        return connections.filter { !given.contains($0.lowercased()) }
    }
}

/// How an app-secret action wants the application to end up.
struct AppSecretPolicy: Sendable, Equatable {
    /// Whether old secrets are removed (`app-secret-rotate`) or left (`app-secret-create`).
    var removesOld: Bool
    /// A held secret expiring within this many days is due (0: always).
    var renewWithinDays: Int
    /// Retention of old secrets.
    var retention: PasswordRetention
    /// The display name this task gives new secrets (its marker).
    var displayName: String
    /// Secrets created by this run: never due again in the same run.
    var createdThisRun: Set<String> = []
    /// When the secret Key Vault held as this run began was started: a secret of ours started
    /// after it that nobody holds is an orphan, even when Graph's lag lists it only after this
    /// run's own replacement (an interrupted run made it moments before this one began).
    var heldWhenRunBegan: Date?
    /// Slack for comparing timestamps of different services.
    static let tolerance: TimeInterval = 120

    /// Whether `password` was made by this task (its display name is the marker).
    func isOurs(_ password: PasswordCredential) -> Bool {
        let name = password.displayName ?? ""
        return name == displayName || name.hasPrefix("rotate-credential ")
    }
}

extension PasswordRetention: Equatable {
    public static func == (a: PasswordRetention, b: PasswordRetention) -> Bool {
        a.keepSecrets == b.keepSecrets && a.graceHours == b.graceHours
    }
}
