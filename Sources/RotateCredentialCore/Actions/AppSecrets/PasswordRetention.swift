/// Which old client secrets may go, for `app-secret-rotate` (at its end) and `app-secret-revoke`.
///
/// The rule keeps every consumer working while it moves to the newest secret:
/// 1. Secrets are ordered newest first by `startDateTime` (then by `endDateTime`; a secret
///    without dates counts as the oldest).
/// 2. The `keepSecrets` newest are always kept; so are the protected ones (the newest of all, the
///    secret just created, the secret Key Vault's latest version holds).
/// 3. Any other secret is removed once the secret that replaced it (the next newer one) has
///    existed for at least `graceHours`: consumers that read the replacement from Key Vault or
///    a service connection have had that long to pick it up. Grace counts from the replacement's
///    start, not from the old secret's, because an old secret is in use until it is replaced.
///
/// With the defaults (keep 2, grace 24 h) a rotation keeps the new secret and the one before it
/// and removes older ones whose replacement is at least a day old; with `keepSecrets: 1`, the
/// previous secret stays until the new one is `graceHours` old (`app-secret-revoke` removes it then).
struct PasswordRetention: Sendable {
    /// Secrets always kept, newest first (at least 1).
    var keepSecrets: Int
    /// Hours a replacement must exist before the secret it replaced goes.
    var graceHours: Int

    /// Creates a rule.
    init(keepSecrets: Int, graceHours: Int) {
        self.keepSecrets = max(1, keepSecrets)
        self.graceHours = max(0, graceHours)
    }

    /// Newest first.
    static func newestFirst(_ passwords: [PasswordCredential]) -> [PasswordCredential] {
        passwords.sorted { a, b in
            let startA = a.startDateTime ?? .distantPast
            let startB = b.startDateTime ?? .distantPast
            if startA != startB { return startA > startB }
            let endA = a.endDateTime ?? .distantPast
            let endB = b.endDateTime ?? .distantPast
            if endA != endB { return endA > endB }
            return a.keyId < b.keyId
        }
    }

    /// The secrets to remove, oldest first, given the time `now` and the keyIds that must stay.
    func removals(from passwords: [PasswordCredential], now: Date, protected: Set<String>)
        -> [PasswordCredential]
    {
        let ordered = Self.newestFirst(passwords)
        let protectedIds = Set(protected.map { $0.lowercased() })
        var result: [PasswordCredential] = []
        for (index, password) in ordered.enumerated() where index >= keepSecrets {
            if protectedIds.contains(password.keyId.lowercased()) { continue }
            let replacement = ordered[index - 1]
            let replacedAt = replacement.startDateTime ?? .distantPast
            guard now.timeIntervalSince(replacedAt) >= Double(graceHours) * 3600 else { continue }
            result.append(password)
        }
        return result.reversed()
    }

    /// The newest secret (latest start), which decides whether a rotation is due: it is the one
    /// consumers were last given.
    static func newest(_ passwords: [PasswordCredential]) -> PasswordCredential? {
        newestFirst(passwords).first
    }

    /// Whether a new secret is due: the newest secret expires within `renewWithinDays` of `now`
    /// (0 = always due; no secret = due).
    static func isRotationDue(_ passwords: [PasswordCredential], renewWithinDays: Int, now: Date) -> Bool {
        guard renewWithinDays > 0, let latest = newest(passwords), let end = latest.endDateTime else {
            return true
        }
        return end.timeIntervalSince(now) <= Double(renewWithinDays) * 86400
    }
}
