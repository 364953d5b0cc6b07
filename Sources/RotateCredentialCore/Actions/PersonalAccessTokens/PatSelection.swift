/// The tokens of one display name, newest first. Azure DevOps allows several tokens with the same
/// name; the newest is the one a rotation replaced last, and is never revoked by `pat-revoke`.
struct PatFamily: Sendable {
    /// The display name (as the newest token spells it).
    let displayName: String
    /// Every active token of that name, newest (latest `validFrom`) first.
    let tokens: [PersonalAccessToken]

    /// The newest token.
    var newest: PersonalAccessToken { tokens[0] }
    /// Every token but the newest.
    var older: [PersonalAccessToken] { Array(tokens.dropFirst()) }
}

/// Which tokens an action works on: by display-name pattern, grouped by name.
enum PatSelection {
    /// The tokens whose display name matches one of `patterns` (`*` wildcards, case-insensitive).
    /// No pattern selects nothing.
    static func select(_ tokens: [PersonalAccessToken], patterns: [NamePattern]) -> [PersonalAccessToken] {
        tokens.filter { patterns.matchesAny($0.displayName) }
    }

    /// The literal (wildcard-free) patterns that match none of `tokens`.
    static func unmatchedLiterals(_ tokens: [PersonalAccessToken], patterns: [NamePattern]) -> [NamePattern] {
        patterns.filter { pattern in pattern.isLiteral && !tokens.contains { pattern.matches($0.displayName) } }
    }

    /// Groups tokens by display name (case-insensitive, as Azure DevOps compares names), families
    /// ordered by name and tokens newest first.
    static func families(_ tokens: [PersonalAccessToken]) -> [PatFamily] {
        let groups = Dictionary(grouping: tokens) { $0.displayName.lowercased() }
        return groups.values.map { members in
            let sorted = members.sorted { a, b in
                a.validFrom != b.validFrom ? a.validFrom > b.validFrom : a.authorizationId > b.authorizationId
            }
            return PatFamily(displayName: sorted[0].displayName, tokens: sorted)
        }
        .sorted { $0.displayName.lowercased() < $1.displayName.lowercased() }
    }

    /// Tokens in report order: by name, then newest first.
    static func ordered(_ tokens: [PersonalAccessToken]) -> [PersonalAccessToken] {
        families(tokens).flatMap(\.tokens)
    }
}
