/// The JSON report of a PAT action (no values, ever): one entry per token considered.
struct PatReport: Encodable, Sendable {
    /// The action.
    var action: String
    /// Organization.
    var organization: String
    /// Whether nothing was changed on purpose.
    var dryRun: Bool
    /// When the run started.
    var generatedAt: Date
    /// The tokens.
    var tokens: [PatReportEntry]
    /// Per display name: what Key Vault holds and what this run did (change actions only).
    var consumers: [PatConsumerEntry] = []
}

/// What the consumer of one PAT family (its Key Vault secret) holds after the run.
struct PatConsumerEntry: Encodable, Sendable {
    var displayName: String
    var keyVaultSecret: String
    /// The authorization id Key Vault's current version records (nil: none).
    var holds: String?
    /// What this run did, in order ("revoked orphan …", "created and stored …").
    var thisRun: [String]
    /// Tokens of this name people made, which the task leaves alone.
    var notManaged: [String]

    init(_ outcome: PatFamilyOutcome) {
        let final = outcome.final ?? outcome.initial
        displayName = final.displayName
        keyVaultSecret = final.secretName
        holds = final.stored?.authorizationId
        notManaged = outcome.initial.ownership(createdThisRun: []).unmanaged.map(\.authorizationId)
        thisRun = outcome.events.map { event in
            switch event {
            case .created(let new, let old, let stored):
                return
                    "created \(new.token.authorizationId) (replacing \(old.authorizationId)) and stored it as \(stored.id)"
            case .revoked(let token, let orphan):
                return "revoked \(token.authorizationId)\(orphan ? " (orphan: its value was never stored)" : "")"
            }
        }
    }

    /// A summary line.
    var line: String {
        let people =
            notManaged.isEmpty
            ? ""
            : "; not managed by this task (made by a person, never revoked by it): \(notManaged.joined(separator: ", "))"
        return
            "- Key Vault secret `\(keyVaultSecret)` (PAT '\(displayName)') holds \(holds ?? "no recorded token"); this run: \(thisRun.isEmpty ? "nothing" : thisRun.joined(separator: "; "))\(people)"
    }
}

/// One token in a report: the token and what happened to it, and what this run made of it.
struct PatReportEntry: MergedEncodable, Sendable {
    var base: Token
    var extra = Change()

    init(_ token: PersonalAccessToken, now: Date, outcome: String, detail: String? = nil) {
        base = Token(token, now: now, outcome: outcome, detail: detail)
    }

    /// The token as listed at the run's start, and what happened to it.
    struct Token: Encodable, Sendable {
        var displayName: String
        var authorizationId: String
        var scope: String
        var reach: String
        var global: Bool
        var validFrom: Date
        var validTo: Date
        var daysLeft: Int
        /// What happened: listed, renewed, rotated, created, pending, revoked, kept, skipped, failed,
        /// or "would …" in a dry run.
        var outcome: String
        /// Why, in words.
        var detail: String?

        init(_ token: PersonalAccessToken, now: Date, outcome: String, detail: String?) {
            displayName = token.displayName
            authorizationId = token.authorizationId
            scope = token.scope
            reach = token.reach
            global = token.isGlobal
            validFrom = token.validFrom
            validTo = token.validTo
            daysLeft = token.daysLeft(at: now)
            self.outcome = outcome
            self.detail = detail
        }
    }

    /// What this run made of the token: the expiry asked for, the replacement or the renewed
    /// token, and where the new value is stored (nothing for a token it only listed or revoked).
    struct Change: Encodable, Sendable {
        /// The expiry asked for (pat-renew).
        var requestedValidTo: Date?
        /// The replacement (pat-rotate, pat-create) or the renewed expiry's token.
        var newAuthorizationId: String?
        /// Expiry of the replacement or the renewed token, as the service granted it.
        var newValidTo: Date?
        /// The Key Vault secret version holding the new value.
        var keyVaultSecretId: String?
    }
}

/// Text renderings of report entries for the log and the run summary.
enum PatReportFormat {
    /// A fixed-width table for the log.
    static func table(_ rows: [[String]], header: [String]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return [line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)
    }

    /// A Markdown table (cells escaped).
    static func markdown(_ rows: [[String]], header: [String]) -> String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var lines = ["| " + header.map(cell).joined(separator: " | ") + " |"]
        lines.append("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
        lines += rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n")
    }

    /// Summary Markdown for a change action: heading, counts and one row per entry.
    static func summary(title: String, entries: [PatReportEntry], dryRun: Bool) -> String {
        var text = "## \(title)\(dryRun ? " (dry run)" : "")\n\n"
        if entries.isEmpty { return text + "No token was selected.\n" }
        let rows = entries.map { entry in
            [
                entry.displayName, entry.authorizationId, entry.outcome,
                Timestamp.day(entry.newValidTo ?? entry.validTo), entry.detail ?? "",
            ]
        }
        text += markdown(rows, header: ["Display name", "Authorization id", "Outcome", "Valid to", "Details"])
        return text + "\n"
    }
}
