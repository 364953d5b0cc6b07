/// Whether the client secret converted connections used can go (`removeSecretAfterConversion`),
/// decided from an observation alone with the holder rules of the rotations
/// (``AppSecretOwnership``): never while Key Vault's current version holds it, a person made it,
/// the grace period after the conversion lasts, a connection the task gave it still uses a secret,
/// or a secret-based connection the task does not write may hold it (one first seen after the
/// secret started; a project that could not be read may hold any). Every project is looked through
/// before a removal.
enum SecretRetirementDecision: ReconcileDecision, Equatable {
    /// Look through every project for secret-based connections that may hold `secret`.
    case findHolders(PasswordCredential)
    /// Remove `secret`: no holder is left.
    case remove(PasswordCredential)
    /// Nothing (more) to do, and why.
    case converged(SecretRetirementVerdict)

    var isConverged: Bool { if case .converged = self { true } else { false } }
    var failure: RotationFailure? { nil }
    var changes: Bool { if case .remove = self { true } else { false } }
}

/// Where a secret retirement ended.
enum SecretRetirementVerdict: Sendable, Equatable {
    /// No secret is the one the connections used (why).
    case nothingToRemove(String)
    /// The secret stays: who holds or may hold it.
    case kept(PasswordCredential, holders: [String])
    /// This run removed these secrets.
    case removed([PasswordCredential])
}

extension SecretRetirementDecision {
    /// Decides for `observation` at the services' time `now`.
    static func decide(_ observation: SecretRetirementObservation, policy: SecretRetirementPolicy, now: Date) -> Self {
        if !observation.removed.isEmpty { return .converged(.removed(observation.removed)) }
        let secret: PasswordCredential
        switch candidate(observation) {
        case .success(let found): secret = found
        case .failure(let why): return .converged(.nothingToRemove(why.text))
        }
        let standing = standingHolders(of: secret, observation: observation, policy: policy, now: now)
        if !standing.isEmpty { return .converged(.kept(secret, holders: standing)) }
        guard let scan = observation.scan else { return .findHolders(secret) }
        let connections = connectionHolders(of: secret, scan: scan, record: observation.record)
        return connections.isEmpty ? .remove(secret) : .converged(.kept(secret, holders: connections))
    }

    /// Why no secret is the candidate.
    struct NoCandidate: Error, Equatable {
        var text: String
    }

    /// The secret the connections used: the one the record says the task gave them, else the one
    /// Key Vault's current version names for them (versions before the record), else (nothing
    /// records one) the application's only secret. A recorded secret that is gone is never
    /// replaced by another.
    static func candidate(_ observation: SecretRetirementObservation) -> Result<PasswordCredential, NoCandidate> {
        let passwords = observation.application.passwordCredentials
        if let recorded = recorded(observation) {
            guard let secret = passwords.first(where: { $0.keyId.lowercased() == recorded }) else {
                return .failure(
                    NoCandidate(
                        text: "nothing to remove: the client secret the connections used (keyId \(recorded)) is gone"))
            }
            return .success(secret)
        }
        if passwords.count == 1 { return .success(passwords[0]) }
        if passwords.isEmpty {
            return .failure(NoCandidate(text: "nothing to remove: the application has no client secret"))
        }
        return .failure(
            NoCandidate(
                text:
                    "kept: the application has \(passwords.count) client secrets and nothing records which one the converted connections used; remove them with app-secret-revoke once no consumer holds them"
            ))
    }

    /// The keyId (lower-cased) the record, or Key Vault's version, says the connections were given.
    private static func recorded(_ observation: SecretRetirementObservation) -> String? {
        let ids = Set(observation.connections.map { $0.id.lowercased() })
        let given = Set(
            (observation.record?.holders ?? []).filter { ids.contains($0.id.lowercased()) }.map {
                $0.keyId.lowercased()
            })
        if given.count == 1 { return given.first }
        let names = ids.union(observation.connections.map { $0.name.lowercased() })
        guard let vault = observation.vault, !vault.connections.isDisjoint(with: names) else { return nil }
        return vault.keyId?.lowercased()
    }

    /// Holders known without looking through the projects: Key Vault, a person, the grace period.
    static func standingHolders(
        of secret: PasswordCredential, observation: SecretRetirementObservation, policy: SecretRetirementPolicy,
        now: Date
    ) -> [String] {
        var holders: [String] = []
        if let vault = observation.vault, vault.keyId?.lowercased() == secret.keyId.lowercased() {
            holders.append("Key Vault secret '\(vault.secretName)' (its current version holds it)")
        }
        if observation.record?.isUnmanaged(secret.keyId) == true {
            holders.append("the person who made it (recorded as not managed by this task)")
        }
        let converted = observation.connections.map(\.converted)
        if converted.contains(where: { $0 == nil }) {
            holders.append(
                "the grace period (this task cannot tell when a connection was converted: no record on its federated credential and no revert deadline)"
            )
        } else if let latest = converted.compactMap({ $0 }).max(),
            !ConversionTime.elapsed(latest, graceHours: policy.graceHours, now: now)
        {
            let until = Timestamp.format(latest.addingTimeInterval(Double(policy.graceHours) * 3600))
            holders.append("the grace period (until \(until), graceHours \(policy.graceHours))")
        }
        return holders
    }

    /// Connections that may hold `secret`: one the task gave it that still uses a secret, one it
    /// does not write that it first saw after the secret started, any in a project not read.
    static func connectionHolders(of secret: PasswordCredential, scan: BystanderScan, record: CredentialRecord?)
        -> [String]
    {
        let start = secret.startDateTime ?? .distantPast
        let given = (record?.holders ?? []).filter {
            $0.keyId.lowercased() == secret.keyId.lowercased() && !scan.isGone($0.id)
        }
        return given.map { "service connection '\($0.project)/\($0.name)' (\($0.id); this task gave it this secret)" }
            + scan.found.filter { start < $0.firstSeen.addingTimeInterval(Intent.slackAfter) }.map {
                "service connection \($0.label) (\($0.id); still on a client secret, not written by this task)"
            }
            + scan.unreadable.map { "a connection that could not be looked at (\($0))" }
    }
}
