/// The one next thing to do for a PAT family, decided from an observation alone. The safety rules
/// live here and only here: the token Key Vault holds is never revoked; nothing is revoked
/// before its replacement is stored (the record names it); a token newer than the held one that
/// no consumer holds is an orphan (its value was lost) and is revoked.
enum PatDecision: ReconcileDecision, Equatable {
    /// Create a replacement of `replacing`, store it and read it back.
    case create(replacing: PersonalAccessToken)
    /// Revoke a token newer than the held one whose value nobody has.
    case revokeOrphan(PersonalAccessToken)
    /// Revoke a token Key Vault no longer holds.
    case revokeSuperseded(PersonalAccessToken, by: PersonalAccessToken)
    /// Nothing to do.
    case converged(PatState)
    /// Stop and report.
    case fail(RotationFailure)

    var isConverged: Bool { if case .converged = self { true } else { false } }
    var failure: RotationFailure? { if case .fail(let failure) = self { failure } else { nil } }
}

/// A family in a state the action leaves as it is.
enum PatState: Sendable, Equatable {
    /// Key Vault holds a live token with enough time left; nothing older is due to go.
    case upToDate(PersonalAccessToken)
    /// Key Vault holds a replacement; older tokens wait for `pat-revoke`.
    case pending(PersonalAccessToken, older: Int)
    /// The replacement was stored less than `graceHours` ago.
    case withinGrace(PersonalAccessToken, storedHoursAgo: Double, graceHours: Int)
    /// Key Vault records no token of this name; the newest is not due.
    case unmanaged(PersonalAccessToken)
    /// `pat-revoke`: Key Vault records none of them, so nothing is revoked.
    case notStored(PersonalAccessToken)
}

extension PatDecision {
    /// Decides for `observation` at the services' time `now`.
    static func decide(_ observation: PatObservation, policy: PatPolicy, now: Date) -> PatDecision {
        guard let newest = observation.tokens.first else {
            return .fail(
                .notConverged(credential: "PAT '\(observation.displayName)'", rounds: 0, last: "no live token"))
        }
        guard let record = observation.record else {
            return decideUnmanaged(observation, newest: newest, policy: policy, now: now)
        }
        let held = observation.held
        // Orphans: newer than what Key Vault holds, at a sane time, held by nobody.
        let reference = held?.validFrom ?? record.stored ?? .distantFuture
        if let orphan = observation.tokens.first(where: {
            $0 != held && $0.validFrom > reference && $0.validFrom <= now.addingTimeInterval(PatPolicy.tolerance)
        }) {
            return .revokeOrphan(orphan)
        }
        guard let held else {
            if policy.mode == .revokeOld {
                return .fail(
                    .storedCredentialGone(
                        credential: "PAT '\(observation.displayName)'", secretName: observation.secretName,
                        id: record.authorizationId))
            }
            return .create(replacing: newest)
        }
        let superseded = observation.tokens.filter { $0 != held }
        let due = isDue(held, policy: policy, now: now)
        switch policy.mode {
        case .rotate:
            if due { return .create(replacing: held) }
            if let old = superseded.first { return .revokeSuperseded(old, by: held) }
            return .converged(.upToDate(held))
        case .createOnly:
            if !superseded.isEmpty, policy.renewWithinDays == 0 || !due {
                return .converged(.pending(held, older: superseded.count))
            }
            if due { return .create(replacing: held) }
            return .converged(.upToDate(held))
        case .revokeOld:
            guard let old = superseded.first else { return .converged(.upToDate(held)) }
            let storedAt = record.stored ?? min(held.validFrom, now)
            let hours = now.timeIntervalSince(storedAt) / 3_600
            guard hours >= Double(policy.graceHours) else {
                return .converged(.withinGrace(held, storedHoursAgo: hours, graceHours: policy.graceHours))
            }
            return .revokeSuperseded(old, by: held)
        }
    }

    /// No record: consumers were given a value by hand. One token: judge it. Several: the newest
    /// decides when it is due; when only an older one is due nobody can tell which is in use.
    private static func decideUnmanaged(
        _ observation: PatObservation, newest: PersonalAccessToken, policy: PatPolicy, now: Date
    ) -> PatDecision {
        if policy.mode == .revokeOld { return .converged(.notStored(newest)) }
        if isDue(newest, policy: policy, now: now) { return .create(replacing: newest) }
        let dueOlder = observation.tokens.dropFirst().filter { isDue($0, policy: policy, now: now) }
        guard !dueOlder.isEmpty else { return .converged(.unmanaged(newest)) }
        let candidates = observation.tokens.map {
            "\($0.authorizationId) (created \(Timestamp.format($0.validFrom)), expires \(Timestamp.day($0.validTo)))"
        }
        return .fail(
            .ambiguous(
                credential: "PAT '\(observation.displayName)'", secretName: observation.secretName,
                candidates: candidates))
    }

    private static func isDue(_ token: PersonalAccessToken, policy: PatPolicy, now: Date) -> Bool {
        !policy.createdThisRun.contains(token.authorizationId)
            && token.expires(withinDays: policy.renewWithinDays, at: now)
    }
}
