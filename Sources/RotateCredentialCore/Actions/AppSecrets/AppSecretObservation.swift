/// What one application's client secrets look like at one moment, and what each consumer holds:
/// Key Vault's current version (its `keyId` tag) and, per listed service connection, the secret
/// the task's record says it was given (a connection's key cannot be read back); and the task's
/// record itself (intents, secrets people made, connections it does not write).
struct AppSecretObservation: Sendable, Equatable {
    /// The application's object id, appId and label.
    var objectId: String
    var appId: String
    var label: String
    /// Its client secrets (without values).
    var passwords: [PasswordCredential]
    /// Key Vault's current version, when a vault is configured and the version names a keyId.
    var stored: StoredVersion?
    /// Whether a vault is configured (the record lives there).
    var hasVault: Bool
    /// The connections to keep up to date, in input order.
    var connections: [ConnectionRef]
    /// The task's record of the application.
    var record: CredentialRecord
    /// Secret-based connections of the application the task does not write, found in every
    /// project of the organization; nil until looked for (only needed before a removal).
    var bystanders: BystanderScan?

    /// What Key Vault's current version records.
    struct StoredVersion: Sendable, Equatable {
        /// The keyId tag.
        var keyId: String
        /// The version's id.
        var versionId: String
        /// When it was written (Key Vault's clock).
        var stored: Date?
        /// The keyId of the secret it replaced (its `replaces` tag).
        var replaces: String? = nil
    }

    /// The client secret Key Vault holds, when it is live.
    var held: PasswordCredential? {
        guard let keyId = stored?.keyId.lowercased() else { return nil }
        return passwords.first { $0.keyId.lowercased() == keyId }
    }

    /// Listed connections the record does not show as holding Key Vault's current secret.
    var connectionsBehind: [ConnectionRef] {
        guard let keyId = stored?.keyId.lowercased() else { return connections }
        return connections.filter { record.holder($0.id)?.keyId.lowercased() != keyId }
    }

    /// The keyIds (lower-cased) the record says connections hold.
    var heldByConnections: Set<String> {
        Set(record.holders.map { $0.keyId.lowercased() })
    }
}

/// A service connection the task writes: by id, with its name and project for people.
struct ConnectionRef: Sendable, Equatable {
    var id: String
    var name: String
    var project: String

    /// "'Platform/prod-arm'".
    var label: String { "'\(project)/\(name)'" }
}

/// What a look through every project of the organization found: secret-based connections of the
/// application the task does not write, and the projects it could not read (each of which may
/// hold one).
struct BystanderScan: Sendable, Equatable {
    var found: [Bystander] = []
    /// Ids (lower-cased) of every secret-based connection of the application, bystander or not.
    var present: Set<String> = []
    /// Places that could not be read ("the connections of project X could not be listed: …").
    var unreadable: [String] = []

    /// Whether connection `id` no longer uses a secret of the application (deleted, converted),
    /// as far as a complete look can tell.
    func isGone(_ id: String) -> Bool {
        unreadable.isEmpty && !present.contains(id.lowercased())
    }
}

/// How an app-secret action wants the application to end up.
struct AppSecretPolicy: Sendable, Equatable {
    /// What the action does.
    enum Mode: Sendable, Equatable {
        /// `app-secret-rotate`: replace when due, bring connections up to date, remove old secrets.
        case rotate
        /// `app-secret-create`: replace when due and bring connections up to date.
        case createOnly
        /// `app-secret-revoke`: remove old secrets no consumer may hold.
        case revokeOnly
    }

    var mode: Mode
    /// A held secret expiring within this many days is due (0: always).
    var renewWithinDays: Int
    /// Retention of old secrets.
    var retention: PasswordRetention
    /// The display name this task gives new secrets.
    var displayName: String
    /// Secrets created by this run: never due again in the same run.
    var createdThisRun: Set<String> = []
    /// When the secret Key Vault held as this run began was started: a secret of the task's
    /// started after it that nobody holds is an orphan, even when Graph's lag lists it only after
    /// this run's own replacement (an interrupted run made it moments before this one began).
    var heldWhenRunBegan: Date?

    /// Whether old secrets are removed.
    var removesOld: Bool { mode != .createOnly }
    /// Whether new secrets are created and connections written.
    var creates: Bool { mode != .revokeOnly }
}

extension PasswordRetention: Equatable {
    static func == (a: PasswordRetention, b: PasswordRetention) -> Bool {
        a.keepSecrets == b.keepSecrets && a.graceHours == b.graceHours
    }
}
