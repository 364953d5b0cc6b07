/// What this run changed on the application, laid over each later read: Graph's reads lag its
/// writes by seconds, so a read right after `addPassword` may not list the new secret yet and
/// one right after `removePassword` may still list the removed one. Neither is taken as the truth
/// about this run's own writes.
struct AppSecretWrites: Sendable {
    /// Secrets this run added (and did not take back).
    private(set) var added: [PasswordCredential] = []
    /// keyIds (lower-cased) this run removed.
    private(set) var removed: Set<String> = []

    /// Notes a secret this run added.
    mutating func add(_ password: PasswordCredential) { added.append(password) }

    /// Notes a secret this run removed.
    mutating func remove(_ keyId: String) { removed.insert(keyId.lowercased()) }

    /// Whether this run changed nothing (yet).
    var isEmpty: Bool { added.isEmpty && removed.isEmpty }

    /// Whether a plain read listing `passwords` shows every one of this run's writes.
    func isShown(in passwords: [PasswordCredential]) -> Bool {
        let listed = Set(passwords.map { $0.keyId.lowercased() })
        return added.allSatisfy { listed.contains($0.keyId.lowercased()) } && removed.isDisjoint(with: listed)
    }

    /// `observation` with this run's additions listed and its removals gone.
    func applied(to observation: AppSecretObservation) -> AppSecretObservation {
        var result = observation
        let listed = Set(observation.passwords.map { $0.keyId.lowercased() })
        result.passwords += added.filter { !listed.contains($0.keyId.lowercased()) }
        result.passwords.removeAll { removed.contains($0.keyId.lowercased()) }
        return result
    }
}
