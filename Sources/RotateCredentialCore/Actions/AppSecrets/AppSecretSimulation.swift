/// What a dry run assumes each plan leaves, so it can decide the next round and show the whole
/// plan: a new secret stored and held, connections given it, secrets removed.
struct AppSecretSimulation: Sendable {
    /// The keyId a dry run gives the secret it would add.
    static let newKeyId = "(new)"
    let displayName: String
    let validityDays: Int
    let now: Date

    /// `observation` after the plan for `decision`; nil when nothing would change.
    func after(_ decision: AppSecretDecision, observation: AppSecretObservation) -> AppSecretObservation? {
        var next = observation
        switch decision {
        case .create:
            let new = PasswordCredential(
                keyId: Self.newKeyId, displayName: displayName, startDateTime: now,
                endDateTime: now.addingTimeInterval(Double(validityDays) * 86_400))
            next.passwords.append(new)
            if observation.hasVault {
                next.stored = .init(keyId: Self.newKeyId, versionId: "(new version)", stored: now)
            }
        case .updateConnections(let connections):
            for connection in connections {
                next.record.record(
                    ConnectionHolder(
                        id: connection.id, name: connection.name, project: connection.project,
                        keyId: observation.stored?.keyId ?? Self.newKeyId, written: now))
            }
        case .removeOrphans(let passwords), .removeOld(let passwords):
            next.passwords.removeAll { passwords.contains($0) }
        case .findBystanders:
            return next
        case .converged, .fail:
            return nil
        }
        return next
    }
}
