/// What the task keeps in Key Vault about one scope it rotates (the PATs of an organization, or
/// one application's client secrets), beside the secrets consumers read, so that a run decides
/// from a record instead of inferring from names and times:
///
/// - the ``Lease``: which run is changing the scope now, and until when (one writer at a time);
/// - ``Intent``s: what runs set out to create, written before the create call, so that a
///   credential created inside an intent and held by nobody is known to be the task's orphan,
///   and anything else is not the task's to touch;
/// - ``ConnectionHolder``s: which secret each service connection the task writes was given (by
///   connection id; a connection's key cannot be read back), without a limit on their number;
/// - ``Bystander``s: secret-based connections of the application the task does not write, with
///   when it first saw each (it may hold any secret older than that);
/// - `unmanaged`: ids of credentials people made (newer than the held one, outside any intent),
///   which no action ever revokes or removes.
///
/// Consumers read only the credential's own secret, so the record never changes what they see.
/// It holds ids and times, never a secret value. JSON, one Key Vault secret (at most 25 KB), a
/// new version per write.
struct CredentialRecord: Codable, Sendable, Equatable {
    /// The format's version; a record of a newer format is refused rather than misread.
    static let currentSchema = 1
    /// Bytes a record may take (Key Vault takes 25 KB a value); intents are pruned first.
    static let maximumBytes = 24_000

    var schema = Self.currentSchema
    /// What the record is about ("pats:contoso", "application:{appId}").
    var scope: String
    /// The run changing the scope now, if any (expired leases are kept until overwritten).
    var lease: Lease?
    /// What runs set out to create, oldest first.
    var intents: [Intent] = []
    /// Connections the task writes, and which secret each was given.
    var holders: [ConnectionHolder] = []
    /// Connections the task does not write that use a secret of the application.
    var bystanders: [Bystander] = []
    /// Ids (lower-cased) of credentials made by people, never touched.
    var unmanaged: [String] = []

    /// An empty record for `scope`.
    init(scope: String) {
        self.scope = scope
    }

    /// Whether `id` was made by a person (recorded as such).
    func isUnmanaged(_ id: String) -> Bool {
        unmanaged.contains(id.lowercased())
    }

    /// Whether a credential named `name`, with id `id`, started at `start` (the services' time),
    /// was created inside one of the intents.
    func isInsideIntent(id: String, name: String, start: Date) -> Bool {
        intents.contains { $0.covers(id: id, name: name, start: start) }
    }

    /// Whether one open (unsettled) intent covers both credentials named `name`, started at
    /// `first` and `second`: they were created by the same run.
    func shareOpenIntent(name: String, _ first: Date, _ second: Date) -> Bool {
        intents.contains { intent in
            !intent.settled && intent.covers(id: "", name: name, start: first)
                && intent.covers(id: "", name: name, start: second)
        }
    }

    /// The holder record of connection `id`.
    func holder(_ id: String) -> ConnectionHolder? {
        holders.first { $0.id.lowercased() == id.lowercased() }
    }

    /// Records that connection `holder.id` holds `holder.keyId` (replacing what it held before).
    mutating func record(_ holder: ConnectionHolder) {
        holders.removeAll { $0.id.lowercased() == holder.id.lowercased() }
        holders.append(holder)
    }

    /// Adds `ids` to the credentials people made.
    mutating func recordUnmanaged(_ ids: [String]) {
        for id in ids.map({ $0.lowercased() }) where !unmanaged.contains(id) { unmanaged.append(id) }
    }

    /// Adds the bystanders not recorded yet (keeping when each was first seen).
    mutating func recordBystanders(_ found: [Bystander]) {
        for bystander in found where !bystanders.contains(where: { $0.id.lowercased() == bystander.id.lowercased() }) {
            bystanders.append(bystander)
        }
    }
}

/// One service connection the task writes and the client secret it was given.
struct ConnectionHolder: Codable, Sendable, Equatable {
    /// The connection's id.
    var id: String
    /// Its name and project, for people.
    var name: String
    var project: String
    /// The keyId of the client secret it was given.
    var keyId: String
    /// When (the services' time).
    var written: Date
}

/// A secret-based service connection of the application that the task does not write.
struct Bystander: Codable, Sendable, Equatable {
    /// The connection's id.
    var id: String
    /// Its name and project, for people.
    var name: String
    var project: String
    /// When the task first saw it (the services' time): it may hold any secret older than this.
    var firstSeen: Date

    /// "'Platform/legacy-arm'".
    var label: String { "'\(project)/\(name)'" }
}
