#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `app-secret-rotate` and `app-secret-create`: add a client secret to an application, prove it
/// works, store it in Key Vault (read back), write it into the service connections and, for
/// `app-secret-rotate`, remove the old secrets ``PasswordRetention`` lets go.
///
/// Everything that could refuse (the application, the vault, each connection) is read first, so
/// a refusal stops the run before the secret is added. If a step before the removals fails,
/// nothing old is removed; if the new secret is not yet stored anywhere, it is removed again.
struct AppSecretRotateAction: TaskAction {
    /// Whether old secrets are removed at the end.
    enum Mode { case rotate, createOnly }
    let mode: Mode

    /// The content type of the Key Vault secret.
    static let contentType = "application/vnd.ms-entra.client-secret"

    func run(_ context: ActionContext) async throws -> ActionResult {
        let configuration = context.configuration
        let options = configuration.appSecret
        let output = context.output
        guard let identity = configuration.azureIdentity, let applicationId = options.applicationId else {
            throw TaskFailure("applicationId and an Azure identity (azureSubscription) are required.")
        }
        let graph = GraphApplicationClient(context: context.services, credential: identity)
        let runStarted = context.clock.now()

        // Discovery: reads only, in dry runs too.
        let application = try await graph.application(applicationId)
        output.info("Application \(application.label) has \(application.passwordCredentials.count) client secret(s).")
        var report = AppSecretReport(
            action: configuration.action.rawValue, dryRun: configuration.dryRun, changed: false,
            applicationId: application.appId, objectId: application.id, displayName: application.displayName,
            keptSecrets: application.passwordCredentials.map(AppSecretReport.Password.init))

        if !PasswordRetention.isRotationDue(
            application.passwordCredentials, renewWithinDays: options.renewWithinDays, now: runStarted)
        {
            let latest = PasswordRetention.newest(application.passwordCredentials)
            let latestLabel: String = latest?.label ?? ""
            let message = "No new secret is due: client secret \(latestLabel) expires on \(DateText.of(latest?.endDateTime)), more than \(options.renewWithinDays) days from now (renewWithinDays). Nothing changed."
            output.info(message)
            try context.writeReport(report)
            return ActionResult(changed: false, summaryMarkdown: "### Client secret of \(application.label)\n\n\(message)\n")
        }

        let store = context.keyVault().map(SecretStore.init(keyVault:))
        let secretName = configuration.keyVault?.secretNameTemplate
        var previousKeyId: String?
        if let store, let secretName {
            previousKeyId = try await store.latest(secretName)?.tags["keyId"]
        }

        var changes: [ServiceConnectionChange] = []
        var updater: ServiceConnectionUpdater?
        if !options.serviceConnections.isEmpty, let project = configuration.project,
            let adoIdentity = configuration.azureDevOpsIdentity
        {
            let client = ServiceEndpointClient(context: context.services, credential: adoIdentity, project: project)
            let found = ServiceConnectionUpdater(client: client, output: output, project: project)
            changes = try await found.discover(
                names: options.serviceConnections, appId: application.appId,
                convertAutomatic: options.convertAutomaticConnections,
                allowForeign: options.allowForeignServiceConnections)
            updater = found
        }
        let updatesConnections = changes.contains { if case .update = $0 { return true } else { return false } }
        guard store != nil || updatesConnections else {
            throw TaskFailure("The new secret would be stored nowhere: no Key Vault and no service connection to update (the listed ones need no secret). Nothing was changed.")
        }

        // The plan.
        let displayName = options.secretDisplayName ?? "rotate-credential \(Timestamp.day(runStarted))"
        let end = runStarted.addingTimeInterval(Double(options.validityDays) * 86400)
        let holder = NewSecretHolder()
        var steps: [Step] = [
            addStep(
                graph: graph, application: application, displayName: displayName, end: end, runStarted: runStarted,
                holder: holder, output: output, clock: context.clock,
                vault: store.flatMap { store in secretName.map { (store, $0) } })
        ]
        if let tenant = identity.tenantId {
            let wait = SecretReplicationWait(
                tokens: EntraTokenClient(http: context.services.http, urls: context.services.urls),
                clock: context.clock, output: output, timeoutSeconds: options.replicationTimeoutSeconds)
            let appId = application.appId
            steps.append(
                .read("Wait until the new secret works (a token request with it; up to \(options.replicationTimeoutSeconds) s)") {
                    try await wait.waitUntilWorks(tenantId: tenant, appId: appId, secret: try holder.secret())
                })
        } else {
            output.warning("The Azure identity names no tenant, so the new secret cannot be tried before it is stored.")
        }
        if let store, let secretName {
            let appId = application.appId
            let replaces = previousKeyId
            steps.append(
                .change("Store the new secret in Key Vault secret '\(secretName)' (\(store.vaultURL.absoluteString)) and read it back", secures: true) {
                    guard let new = holder.value else { throw TaskFailure("No new client secret was created before this step.") }
                    var tags = [
                        "applicationId": appId, "keyId": new.credential.keyId, "displayName": displayName,
                        "createdBy": "rotate-credential",
                    ]
                    if let replaces { tags["replaces"] = replaces }
                    let bundle = try await store.storeAndVerify(
                        secretName, value: new.secret, contentType: Self.contentType,
                        expires: new.credential.endDateTime ?? end, tags: tags)
                    holder.stored(in: bundle.id)
                    return nil
                })
        }
        if let updater {
            steps += updater.steps(for: changes, securing: store == nil) { try holder.secret() }
        }
        var removals: [PasswordCredential] = []
        if mode == .rotate {
            // The new secret is the newest: it starts now.
            let placeholder = PasswordCredential(keyId: "new", displayName: displayName, startDateTime: runStarted, endDateTime: end)
            removals = PasswordRetention(keepSecrets: options.keepSecrets, graceHours: options.graceHours)
                .removals(from: application.passwordCredentials + [placeholder], now: runStarted, protected: ["new"])
            for password in removals {
                steps.append(Self.removeStep(graph: graph, application: application, password: password))
            }
            if removals.isEmpty {
                output.info("No old client secret is due for removal (keepSecrets \(options.keepSecrets), graceHours \(options.graceHours)).")
            }
        }
        let plan = Plan(
            "\(mode == .rotate ? "Rotate" : "Create") the client secret of application \(application.label)",
            untouched: "No old client secret of application \(application.label) was removed; the secrets it had before still work.",
            steps: steps)
        let outcome = await context.runner.run(plan)

        // Outputs, report, summary.
        let new = holder.value
        if let new, !holder.wasRemoved {
            output.setSecretVariable("newCredential", new.secret)
            output.setVariable("passwordKeyId", new.credential.keyId)
            if let endDate = new.credential.endDateTime { output.setVariable("expiresOn", Timestamp.format(endDate)) }
            if let id = holder.keyVaultSecretId { output.setVariable("keyVaultSecretId", id) }
        }
        let removedIds = outcome.succeeded ? Set(removals.map(\.keyId)) : []
        report.changed = new != nil || configuration.dryRun
        report.newSecret = (holder.wasRemoved ? nil : new).map { AppSecretReport.Password($0.credential) }
        report.keyVaultSecretId = holder.keyVaultSecretId
        report.removedSecrets = removals.filter { removedIds.contains($0.keyId) }.map(AppSecretReport.Password.init)
        report.keptSecrets = application.passwordCredentials.filter { !removedIds.contains($0.keyId) }.map(AppSecretReport.Password.init)
        report.serviceConnections = AppSecretReport.connections(changes)
        report.completedSteps = outcome.completed
        report.failure = outcome.failure.map { _ in outcome.stateReport }
        try context.writeReport(report)

        var summary = ["### \(plan.title)\(configuration.dryRun ? " (dry run)" : "")", ""]
        if let failure = outcome.failure {
            summary.append("**Failed** at: \(failure.step). \(outcome.stateReport)")
            summary.append("")
        }
        if let new, !holder.wasRemoved {
            summary.append("- New client secret keyId `\(new.credential.keyId)` ('\(displayName)'), expires \(DateText.of(new.credential.endDateTime))")
        } else if configuration.dryRun {
            summary.append("- Would add client secret '\(displayName)', expiring \(Timestamp.format(end))")
        }
        if let id = holder.keyVaultSecretId { summary.append("- Stored in Key Vault: `\(id)`") }
        summary += ServiceConnectionUpdater.summaryLines(changes)
        for password in removals {
            let verb = configuration.dryRun ? "Would remove" : (removedIds.contains(password.keyId) ? "Removed" : "Not removed")
            summary.append("- \(verb) old client secret \(password.label)")
        }
        return ActionResult(
            changed: report.changed, summaryMarkdown: summary.joined(separator: "\n") + "\n",
            failures: outcome.succeeded ? [] : [outcome])
    }

    /// Adds the secret. After an uncertain failure it checks whether the call created a secret
    /// anyway and removes it; once no unknown secret of ours is live, it adds once more. A second
    /// uncertain failure fails the plan (a new run redoes it cleanly).
    private func addStep(
        graph: GraphApplicationClient, application: GraphApplication, displayName: String, end: Date,
        runStarted: Date, holder: NewSecretHolder, output: PipelineOutput, clock: any WallClock,
        vault: (store: SecretStore, secretName: String)?
    ) -> Step {
        .change("Add a client secret '\(displayName)' to application \(application.label), expiring \(Timestamp.format(end))") {
            for attempt in 1...2 {
                switch await Self.add(graph: graph, objectId: application.id, displayName: displayName, end: end) {
                case .success(let new):
                    holder.created(new)
                    output.info("Added client secret \(new.credential.label).")
                case .failure(let error) where Self.isUncertain(error):
                    if let failure = await reconcile(
                        after: error, graph: graph, application: application, displayName: displayName,
                        runStarted: runStarted, output: output, clock: clock, finalAttempt: attempt == 2)
                    {
                        throw failure
                    }
                    output.info("Adding the client secret again…")
                    continue
                case .failure(let error):
                    throw error
                }
                break
            }
            let keyId = holder.value?.credential.keyId ?? "?"
            let remove = Compensation(
                "remove the new client secret keyId \(keyId) from application \(application.label)",
                leftBehind: "client secret keyId \(keyId) ('\(displayName)') of application \(application.label) is live and stored nowhere"
            ) {
                try await graph.removePassword(objectId: application.id, keyId: keyId)
                holder.markRemoved()
            }
            guard let vault, let new = holder.value else { return remove }
            return vault.store.guarding(
                remove, secretName: vault.secretName, value: new.secret,
                credential: "the new client secret keyId \(keyId) of application \(application.label)")
        }
    }

    private static func add(graph: GraphApplicationClient, objectId: String, displayName: String, end: Date) async
        -> Result<NewPasswordCredential, ServiceError>
    {
        do {
            return .success(try await graph.addPassword(objectId: objectId, displayName: displayName, endDateTime: end))
        } catch {
            return .failure(error)
        }
    }

    /// A failure after which the secret may exist anyway: no answer, a 5xx, an unreadable answer.
    static func isUncertain(_ error: ServiceError) -> Bool {
        [.transport, .serverFailure, .malformedResponse].contains(error.kind)
    }

    /// Seconds to wait before each look at the application after an uncertain add: a request
    /// that timed out may still be processed a moment later.
    static let checkWaits: [Double] = [0, 3, 7]

    /// Looks for a secret the failed add created anyway and removes it. Returns nil when no
    /// unknown secret of ours is live (the add may be tried again), else the failure to report.
    private func reconcile(
        after error: ServiceError, graph: GraphApplicationClient, application: GraphApplication,
        displayName: String, runStarted: Date, output: PipelineOutput, clock: any WallClock, finalAttempt: Bool
    ) async -> TaskFailure? {
        output.info("Adding the client secret failed with an uncertain outcome; checking whether it was created anyway…")
        var orphans: [PasswordCredential] = []
        for wait in Self.checkWaits {
            if wait > 0 { try? await clock.sleep(seconds: wait) }
            let fresh: GraphApplication
            do {
                fresh = try await graph.application(application.id)
            } catch {
                return TaskFailure("\(error) ATTENTION: the application could not be read again to check whether a client secret '\(displayName)' was created anyway; look for one in the app registration and remove it if it is there. Nothing else was changed.")
            }
            orphans = Self.orphans(before: application, after: fresh, displayName: displayName, runStarted: runStarted)
            if !orphans.isEmpty { break }
        }
        var removed: [String] = []
        for orphan in orphans {
            output.info("Client secret \(orphan.label) was created although its value never arrived; removing it…")
            do {
                try await graph.removePassword(objectId: application.id, keyId: orphan.keyId)
                removed.append(orphan.keyId)
            } catch {
                return TaskFailure(
                    "\(error) ATTENTION: adding the client secret failed uncertainly, and the secret it created anyway (\(orphan.label)) could not be removed: it is live and stored nowhere; remove it by hand in the app registration. Nothing else was changed.")
            }
        }
        let what = removed.isEmpty
            ? "no new secret was created"
            : "the secret it created anyway (keyId \(removed.joined(separator: ", "))) was removed again"
        output.info("Checked the application: \(what).")
        guard finalAttempt else { return nil }
        return TaskFailure("\(error) Checked the application: \(what). Nothing else was changed; run the pipeline again.")
    }

    /// Secrets that appeared since discovery with our display name and a start after the run began
    /// (a few minutes of clock skew allowed).
    static func orphans(
        before: GraphApplication, after: GraphApplication, displayName: String, runStarted: Date
    ) -> [PasswordCredential] {
        let known = Set(before.passwordCredentials.map { $0.keyId.lowercased() })
        return after.passwordCredentials.filter { password in
            !known.contains(password.keyId.lowercased()) && password.displayName == displayName
                && (password.startDateTime ?? .distantPast) >= runStarted.addingTimeInterval(-300)
        }
    }

    /// The step that removes one old client secret; `app-secret-revoke` uses it too.
    static func removeStep(graph: GraphApplicationClient, application: GraphApplication, password: PasswordCredential) -> Step {
        .change("Remove old client secret \(password.label) (started \(DateText.of(password.startDateTime))) from application \(application.label)") {
            try await graph.removePassword(objectId: application.id, keyId: password.keyId)
            return nil
        }
    }
}
