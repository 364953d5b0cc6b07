/// The one next thing to do for a PAT family, decided from an observation alone. The safety rules
/// live here and only here: the token Key Vault holds is never revoked; nothing is revoked before
/// its replacement is stored (Key Vault's version names it); a token created inside the task's
/// recorded intent that nobody holds is an orphan (its value was lost) and is revoked; a token a
/// person made is never revoked (see ``PatOwnership``).
enum PatDecision: ReconcileDecision, Equatable {
    /// Create a replacement of `replacing`, store it and read it back.
    case create(replacing: PersonalAccessToken)
    /// Revoke tokens the task created whose value nobody has.
    case revokeOrphans([PersonalAccessToken])
    /// Revoke every token the held one superseded.
    case revokeSuperseded([PersonalAccessToken], by: PersonalAccessToken)
    /// Nothing to do.
    case converged(PatState)
    /// Stop and report.
    case fail(RotationFailure)

    var isConverged: Bool { if case .converged = self { true } else { false } }
    var failure: RotationFailure? { if case .fail(let failure) = self { failure } else { nil } }
    var changes: Bool {
        switch self {
        case .create, .revokeOrphans, .revokeSuperseded: return true
        case .converged, .fail: return false
        }
    }
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
    case notRecorded(PersonalAccessToken)
    /// `pat-revoke`: Key Vault records none of them, so nothing is revoked.
    case notStored(PersonalAccessToken)
}

extension PatDecision {
    /// Decides for `observation` at the services' time `now`.
    static func decide(_ observation: PatObservation, policy: PatPolicy, now: Date) -> PatDecision {
        guard let newest = observation.tokens.first else {
            return .fail(
                .notConverged(
                    credential: "PAT '\(observation.displayName)'", rounds: 0, last: "no live token of this name"))
        }
        let ownership = observation.ownership(createdThisRun: policy.createdThisRun)
        if !ownership.orphans.isEmpty { return .revokeOrphans(ownership.orphans) }
        guard let record = observation.stored else {
            return decideUnrecorded(observation, ownership: ownership, policy: policy, now: now)
        }
        guard let held = ownership.held else {
            if policy.mode == .revokeOld {
                return .fail(
                    .storedCredentialGone(
                        credential: "PAT '\(observation.displayName)'", secretName: observation.secretName,
                        id: record.authorizationId))
            }
            return .create(replacing: ownership.unheld.first ?? newest)
        }
        return decideHeld(held, superseded: ownership.superseded, record: record, policy: policy, now: now)
    }

    /// Key Vault holds `held`: replace it when due, and revoke what it superseded as the mode says.
    private static func decideHeld(
        _ held: PersonalAccessToken, superseded: [PersonalAccessToken], record: PatObservation.StoredVersion,
        policy: PatPolicy, now: Date
    ) -> PatDecision {
        let due = isDue(held, policy: policy, now: now)
        switch policy.mode {
        case .rotate:
            if due { return .create(replacing: held) }
            if !superseded.isEmpty { return .revokeSuperseded(superseded, by: held) }
            return .converged(.upToDate(held))
        case .createOnly:
            if !superseded.isEmpty, policy.renewWithinDays == 0 || !due {
                return .converged(.pending(held, older: superseded.count))
            }
            if due { return .create(replacing: held) }
            return .converged(.upToDate(held))
        case .revokeOld:
            guard !superseded.isEmpty else { return .converged(.upToDate(held)) }
            let storedAt = record.stored ?? min(held.validFrom, now)
            let hours = now.timeIntervalSince(storedAt) / 3_600
            guard hours >= Double(policy.graceHours) else {
                return .converged(.withinGrace(held, storedHoursAgo: hours, graceHours: policy.graceHours))
            }
            return .revokeSuperseded(superseded, by: held)
        }
    }

    /// No record: consumers were given a value by hand. One token: judge it. Several: the newest
    /// decides when it is due; when only an older one is due nobody can tell which is in use.
    private static func decideUnrecorded(
        _ observation: PatObservation, ownership: PatOwnership, policy: PatPolicy, now: Date
    ) -> PatDecision {
        let candidates = ownership.unheld
        guard let newest = candidates.first else {
            return .converged(.notRecorded(observation.tokens[0]))
        }
        if policy.mode == .revokeOld { return .converged(.notStored(newest)) }
        if isDue(newest, policy: policy, now: now) { return .create(replacing: newest) }
        guard candidates.dropFirst().contains(where: { isDue($0, policy: policy, now: now) }) else {
            return .converged(.notRecorded(newest))
        }
        let described = candidates.map {
            "\($0.authorizationId) (created \(Timestamp.format($0.validFrom)), expires \(Timestamp.day($0.validTo)))"
        }
        return .fail(
            .ambiguous(
                credential: "PAT '\(observation.displayName)'", secretName: observation.secretName,
                candidates: described))
    }

    private static func isDue(_ token: PersonalAccessToken, policy: PatPolicy, now: Date) -> Bool {
        !policy.createdThisRun.contains(token.authorizationId)
            && token.expires(withinDays: policy.renewWithinDays, at: now)
    }
}

/// How a PAT action wants a family to end up.
struct PatPolicy: Sendable, Equatable {
    /// What the action does with tokens Key Vault no longer holds.
    enum Mode: Sendable, Equatable {
        /// `pat-rotate`: replace when due, then revoke the superseded tokens at once.
        case rotate
        /// `pat-create`: replace when due; superseded tokens stay for `pat-revoke`.
        case createOnly
        /// `pat-revoke`: revoke superseded tokens once the held one was stored `graceHours` ago.
        case revokeOld
    }

    var mode: Mode
    /// A token expiring within this many days is due (0: always).
    var renewWithinDays: Int
    /// Hours a stored replacement must exist before `pat-revoke` revokes what it replaced.
    var graceHours: Int
    /// Tokens created by this run: never due again in the same run.
    var createdThisRun: Set<String> = []
}
