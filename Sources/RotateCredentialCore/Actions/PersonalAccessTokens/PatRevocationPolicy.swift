#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// When `pat-revoke` may revoke the older tokens of a display name.
///
/// The newest token stays, always. The older ones go only when the newest has existed for at
/// least `graceHours` (consumers had time to pick up its value) and Key Vault holds the newest
/// one's value (the latest version of the secret is tagged with its authorization id): the token
/// whose value consumers read is never revoked.
enum PatRevocationPolicy {
    /// What to do with one family.
    enum Decision: Sendable, Equatable {
        /// Only one token has this name.
        case nothingOlder
        /// The newest token is younger than the grace period.
        case withinGrace(ageHours: Double, graceHours: Int)
        /// Key Vault does not hold the newest token (nil: no secret or no tag).
        case newestNotStored(storedAuthorizationId: String?)
        /// Revoke these.
        case revoke([PersonalAccessToken])
    }

    /// Decides for `family` at `now`, given the authorization id Key Vault's latest version is tagged with.
    static func decide(
        _ family: PatFamily, graceHours: Int, now: Date, storedAuthorizationId: String?
    ) -> Decision {
        guard !family.older.isEmpty else { return .nothingOlder }
        let age = now.timeIntervalSince(family.newest.validFrom) / 3_600
        guard age >= Double(graceHours) else { return .withinGrace(ageHours: age, graceHours: graceHours) }
        guard let stored = storedAuthorizationId,
            stored.lowercased() == family.newest.authorizationId.lowercased()
        else { return .newestNotStored(storedAuthorizationId: storedAuthorizationId) }
        return .revoke(family.older)
    }

    /// A log line explaining a decision.
    static func explain(_ decision: Decision, family: PatFamily, secretName: String) -> String {
        let name = "PAT '\(family.displayName)'"
        switch decision {
        case .nothingOlder:
            return "\(name): only one active token (\(family.newest.authorizationId)); nothing to revoke."
        case .withinGrace(let age, let grace):
            return "\(name): the newest token (\(family.newest.authorizationId)) is \(Decimals.fixed(age, digits: 1)) hours old, less than graceHours (\(grace)); the \(family.older.count) older token(s) stay until it is."
        case .newestNotStored(let stored):
            let holds = stored.map { "is tagged with authorization id \($0)" } ?? "has no authorizationId tag (or does not exist)"
            return "\(name): Key Vault secret '\(secretName)' \(holds), not the newest token (\(family.newest.authorizationId)); consumers may still read an older value, so nothing is revoked. Run pat-create (or store the newest value) first."
        case .revoke(let tokens):
            return "\(name): the newest token (\(family.newest.authorizationId)) is stored in Key Vault secret '\(secretName)' and older than graceHours; revoking \(tokens.count) older token(s): \(tokens.map(\.authorizationId).joined(separator: ", "))."
        }
    }
}
