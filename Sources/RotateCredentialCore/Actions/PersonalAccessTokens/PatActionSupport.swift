/// What every PAT action shares: the client acting as the PAT owner, the run's start time,
/// discovery, secret names, the report and the summary.
struct PatActionSupport: Sendable {
    let context: ActionContext
    let client: PersonalAccessTokenClient
    /// When the run started (the clock's time; never `Date()`).
    let started: Date

    /// The PAT owner's session when it comes from Key Vault (`patOwnerRefreshTokenSecret`).
    let session: RenewedPatOwnerSession?
    /// Who the PAT owner is, for log lines.
    let ownerSummary: String

    init(_ context: ActionContext, owner: EntraCredential, session: RenewedPatOwnerSession? = nil) {
        self.context = context
        self.client = PersonalAccessTokenClient(context: context.services, credential: owner)
        self.started = context.clock.now()
        self.session = session
        self.ownerSummary = owner.summary
    }

    /// The support of a PAT action acting as `owner`: the owner's session from Key Vault renewed
    /// and stored first (nothing else happens when that fails), or the configured credential; the
    /// password flow warns at each use.
    static func start(_ context: ActionContext, owner: PatOwnerAccess) async throws -> PatActionSupport {
        switch owner {
        case .session(let signIn, let vault):
            let session = try await PatOwnerSessionRenewal(context: context, signIn: signIn, vault: vault).renew()
            let owner = "\(session.user ?? "the PAT owner") (session in Key Vault secret '\(session.secretName)')"
            return PatActionSupport(
                context, owner: .session(accessToken: session.accessToken, owner: owner), session: session)
        case .credential(let credential):
            if case .password(_, _, _, let username, _) = credential {
                context.output.warning(
                    "The PAT owner \(username) signs in with the password flow (ROPC), which stops working as soon as Entra requires multifactor authentication for the user (Microsoft deprecated it in its SDKs in 2025). Move to a stored session: run pat-owner-login once and set patOwnerRefreshTokenSecret (docs/pat-owner-sign-in.md)."
                )
            }
            return PatActionSupport(context, owner: credential)
        }
    }

    var configuration: Configuration { context.configuration }
    var output: PipelineOutput { context.output }

    /// Lists every active token (a read: it runs in dry runs too). With `refusingUnknownNames`, a
    /// literal name (no `*`) that matches no token stops the run.
    func discover(refusingUnknownNames: Bool) async throws -> [PersonalAccessToken] {
        output.info("Listing the active PATs of \(ownerSummary) in \(configuration.organization)…")
        let tokens = try await client.list()
        output.info("\(tokens.count) active PAT(s) found.")
        let unmatched = PatSelection.unmatchedLiterals(tokens, patterns: configuration.pat.displayNames)
        if refusingUnknownNames, !unmatched.isEmpty {
            throw RotationFailure.unknownDisplayNames(unmatched.map(\.text))
        }
        return tokens
    }

    /// The selected tokens; warns when the patterns select nothing.
    func select(_ tokens: [PersonalAccessToken]) -> [PersonalAccessToken] {
        let selected = PatSelection.select(tokens, patterns: configuration.pat.displayNames)
        if selected.isEmpty {
            output.warning(
                "No active PAT matches tokenDisplayNames (\(configuration.pat.displayNames.map(\.text).joined(separator: ", "))); nothing to do."
            )
        }
        return selected
    }

    /// The Key Vault secret name of a display name: `secretName`, or when not given the template
    /// `pat-{displayName}` (the default is applied here, where the name is read), sanitised.
    func secretName(_ displayName: String) -> String {
        SecretStore.secretName(
            template: configuration.keyVault?.secretNameTemplate ?? "pat-{displayName}", displayName: displayName)
    }

    /// Refuses selections where two display names would share one secret (a template without
    /// `{displayName}`, or names that sanitise alike): one would overwrite the other.
    func checkSecretNames(_ families: [PatFamily]) throws {
        let byName = Dictionary(grouping: families) { secretName($0.displayName).lowercased() }
        if let clash = byName.first(where: { $0.value.count > 1 }) {
            throw RotationFailure.secretNameClash(
                names: clash.value.map(\.displayName), secretName: secretName(clash.value[0].displayName))
        }
        if let session = configuration.identities.patOwnerSignIn?.secretName,
            let family = byName[session.lowercased()]?.first
        {
            // A PAT stored there would overwrite the PAT owner's session.
            throw RotationFailure.secretNameClash(
                names: [family.displayName, "the PAT owner's session (patOwnerRefreshTokenSecret)"], secretName: session
            )
        }
    }

    /// Names each token a person made (one warning per token): the task leaves it alone.
    func warnNotManaged(_ tokens: [PersonalAccessToken]) {
        for token in tokens {
            output.warning(
                "PAT '\(token.displayName)' (\(token.authorizationId), created \(Timestamp.format(token.validFrom))) is \(PatExplanation.notManaged). If consumers use it, store it in Key Vault with its authorizationId tag; revoke it by hand when nobody does."
            )
        }
    }

    /// Warns about a global token (targetAccounts null).
    func warnIfGlobal(_ token: PersonalAccessToken, replaced: Bool) {
        guard token.isGlobal else { return }
        let next =
            replaced
            ? "its replacement is scoped to organization \(configuration.organization) only."
            : "replace it with pat-rotate to get an organization-scoped token."
        output.warning(
            "PAT '\(token.displayName)' (\(token.authorizationId)) is global (all organizations); global PATs stop working on 2026-12-01; \(next)"
        )
    }

    /// Writes the JSON report (0600) and sets `reportPath`.
    func writeReport(_ entries: [PatReportEntry], consumers: [PatConsumerEntry] = []) {
        let report = PatReport(
            action: configuration.action.rawValue, organization: configuration.organization,
            dryRun: configuration.dryRun, generatedAt: started, tokens: entries, consumers: consumers)
        do {
            try context.writeReport(report)
        } catch {
            output.warning("Could not write the report to \(configuration.reportPath): \(error)")
        }
    }

    /// "2026-12-01T10:00:00.000Z (30 days from now)", now on the services' clock.
    func describe(_ date: Date) -> String {
        let days = Int((date.timeIntervalSince(context.serviceNow) / 86_400).rounded(.down))
        return "\(Timestamp.format(date)) (\(days) days from now)"
    }

    /// The shared tail of the PAT change actions: outputs (when exactly one token was created),
    /// the JSON report, the summary and the result.
    func finish(_ outcomes: [PatFamilyOutcome], all: [PersonalAccessToken], policy: PatPolicy, title: String)
        -> ActionResult
    {
        let now = context.serviceNow
        var entries: [String: PatReportEntry] = [:]
        for outcome in outcomes {
            entries.merge(PatExplanation.entries(outcome, policy: policy, now: now, dryRun: configuration.dryRun)) {
                $1
            }
        }
        let created = outcomes.compactMap(\.created)
        for item in created
        where item.token.token.validTo
            < started.addingTimeInterval(Double(configuration.lifetimes.validityDays) * 86_400 - 3_600)
        {
            output.warning(
                "The replacement of PAT '\(item.token.token.displayName)' expires \(Timestamp.format(item.token.token.validTo)), earlier than the \(configuration.lifetimes.validityDays) days asked: the organization's maximum PAT lifetime shortened it."
            )
        }
        if created.count == 1, let only = created.first {
            output.setSecretVariable("newCredential", only.token.value)
            output.setVariable("authorizationId", only.token.token.authorizationId)
            output.setVariable("expiresOn", Timestamp.format(only.token.token.validTo))
            output.setVariable("keyVaultSecretId", only.stored.id)
        }
        let ordered = PatSelection.ordered(all).compactMap { entries[$0.authorizationId] }
        let consumers = outcomes.map(PatConsumerEntry.init)
        writeReport(ordered, consumers: consumers)
        var failures = outcomes.compactMap(\.failedPlan)
        failures += outcomes.compactMap { outcome in
            outcome.failure.map { PlanOutcome(failed: "PAT '\(outcome.initial.displayName)'", error: $0) }
        }
        return ActionResult(
            changed: outcomes.contains(where: \.changed),
            summaryMarkdown: PatReportFormat.summary(
                title: "\(title) in \(configuration.organization)", entries: ordered, dryRun: configuration.dryRun)
                + "\n" + consumers.map(\.line).joined(separator: "\n") + "\n",
            failures: failures)
    }
}
