/// A personal access token as the PAT Lifecycle Management API lists it (`PatToken`), without its value.
struct PersonalAccessToken: Sendable, Equatable {
    /// The token's id (`authorizationId`).
    var authorizationId: String
    /// Display name; several tokens may share one.
    var displayName: String
    /// Space-separated scopes (`app_token` = full access).
    var scope: String
    /// Organizations the token works in; nil means every organization (a global PAT).
    var targetAccounts: [String]?
    /// Creation time.
    var validFrom: Date
    /// Expiry.
    var validTo: Date

    /// Whether the token works in every organization (`targetAccounts: null`). Global PATs stop
    /// working on 2026-12-01; replacements are always organization-scoped.
    var isGlobal: Bool { targetAccounts == nil }

    /// The reach as reports say it.
    var reach: String {
        isGlobal ? "all organizations (global, stops working 2026-12-01)" : "organization"
    }

    /// Whole days until expiry (negative once expired).
    func daysLeft(at now: Date) -> Int {
        Int((validTo.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    /// Whether the token expires within `days` days of `now`; 0 means always.
    func expires(withinDays days: Int, at now: Date) -> Bool {
        days == 0 || validTo <= now.addingTimeInterval(Double(days) * 86_400)
    }
}

/// A token just created, with its value (registered with the masker on receipt).
struct CreatedPersonalAccessToken: Sendable {
    /// The token.
    var token: PersonalAccessToken
    /// Its value: returned once, by the create call only.
    var value: Secret
}

/// The wire shapes of the PAT API.
enum PersonalAccessTokenWire {
    /// `PatToken`.
    struct Token: Decodable {
        var authorizationId: String
        var displayName: String
        var scope: String
        var targetAccounts: [String]?
        var validFrom: Date
        var validTo: Date
        var token: String?

        var model: PersonalAccessToken {
            PersonalAccessToken(
                authorizationId: authorizationId, displayName: displayName, scope: scope,
                targetAccounts: targetAccounts, validFrom: validFrom, validTo: validTo)
        }
    }

    /// `PatTokenResult`. `patTokenError` is an open string: newer API versions add values.
    struct Result: Decodable {
        var patToken: Token?
        var patTokenError: String?
        var patTokenErrorMessage: String?
    }

    /// `PagedPatTokens`. A page without `patTokens` (`{}`, `null`) is not an empty list: it is refused.
    struct Page: Decodable {
        var continuationToken: String?
        var patTokens: [Token]
    }

    /// `PatTokenCreateRequest` (no `authorizationId`) and `PatTokenUpdateRequest` (the token's
    /// `authorizationId`): the same fields otherwise.
    struct TokenRequest: Encodable {
        var authorizationId: String?
        var displayName: String
        var scope: String
        var validTo: Date
        var allOrgs: Bool
    }
}
