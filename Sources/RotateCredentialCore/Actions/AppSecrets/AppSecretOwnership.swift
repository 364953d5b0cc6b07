/// An application's client secrets by whose they are and who may hold them, from the task's
/// record (never from display names or times alone):
/// - an **orphan** was added inside an intent the task recorded, started after the secret held
///   when the run began, and nobody holds it (Key Vault, a listed connection): its value was lost;
/// - an **unmanaged** secret was made by a person: newer than the held one outside any intent, or
///   recorded as such; no action removes it;
/// - **protected** secrets may be held by a consumer: Key Vault's, the newest, each listed
///   connection's (by the record), the unmanaged ones, and every secret older than the first
///   sight of a secret-based connection the task does not write (or all of them while a project
///   could not be read).
struct AppSecretOwnership: Sendable, Equatable {
    var held: PasswordCredential?
    var orphans: [PasswordCredential] = []
    var unmanaged: [PasswordCredential] = []
    /// keyIds (lower-cased) no removal may touch, and why, for the log.
    var protected: [String: String] = [:]

    init(_ observation: AppSecretObservation, policy: AppSecretPolicy) {
        held = observation.held
        let record = observation.record
        let heldByConnections = observation.heldByConnections
        let reference = Self.reference(held: held, record: observation.stored, policy: policy)
        for password in observation.passwords where password != held {
            let id = password.keyId.lowercased()
            let start = password.startDateTime ?? .distantPast
            if record.isUnmanaged(id) {
                unmanaged.append(password)
            } else if policy.createdThisRun.contains(password.keyId) || heldByConnections.contains(id)
                || observation.stored?.replaces?.lowercased() == id
            {
                continue
            } else if record.isInsideIntent(id: id, name: password.displayName ?? "", start: start),
                start > reference || sameRunAsHeld(password, record: record)
            {
                orphans.append(password)
            } else if held != nil, start > (held?.startDateTime ?? .distantFuture) {
                unmanaged.append(password)
            }
        }
        protect(observation)
    }

    /// Whether `password` was added by the run that added the held secret (an add that landed late).
    private func sameRunAsHeld(_ password: PasswordCredential, record: CredentialRecord) -> Bool {
        guard let heldStart = held?.startDateTime, let start = password.startDateTime else { return false }
        return record.shareOpenIntent(name: password.displayName ?? "", heldStart, start)
    }

    /// Secrets of the task's started after this are orphans when nobody holds them.
    private static func reference(
        held: PasswordCredential?, record: AppSecretObservation.StoredVersion?, policy: AppSecretPolicy
    ) -> Date {
        let current = held?.startDateTime ?? record?.stored ?? .distantPast
        return policy.heldWhenRunBegan.map { min($0, current) } ?? current
    }

    private mutating func protect(_ observation: AppSecretObservation) {
        if let held { protect(held.keyId, "Key Vault holds it") }
        if let newest = PasswordRetention.newest(observation.passwords) { protect(newest.keyId, "it is the newest") }
        for holder in observation.record.holders where observation.bystanders?.isGone(holder.id) != true {
            protect(holder.keyId, "service connection '\(holder.project)/\(holder.name)' holds it (this task gave it)")
        }
        for password in unmanaged { protect(password.keyId, "a person made it") }
        guard let scan = observation.bystanders else { return }
        for password in observation.passwords {
            let start = password.startDateTime ?? .distantPast
            if let place = scan.unreadable.first {
                protect(password.keyId, "a connection that could not be looked at may hold it (\(place))")
            } else if let bystander = scan.found.first(where: {
                start < $0.firstSeen.addingTimeInterval(Intent.slackAfter)
            }) {
                protect(
                    password.keyId, "service connection \(bystander.label), which this task does not write, may hold it"
                )
            }
        }
    }

    /// Protects `keyId` for `reason`, unless it is protected already.
    private mutating func protect(_ keyId: String, _ reason: String) {
        if protected[keyId.lowercased()] == nil { protected[keyId.lowercased()] = reason }
    }

    /// Whether `password` may go.
    func mayRemove(_ password: PasswordCredential) -> Bool {
        protected[password.keyId.lowercased()] == nil
    }
}
