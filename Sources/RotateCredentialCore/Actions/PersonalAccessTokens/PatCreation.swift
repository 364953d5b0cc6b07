#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Creates a replacement token, and reconciles when the create got no certain answer.
///
/// A create is not idempotent. After a timeout, a dropped connection or a 5xx the token may
/// exist anyway, live and with a value nobody received. So the token list is read again: a token
/// of that display name that this run did not know (not seen in discovery, created after the
/// run started) is that token, and is revoked at once. Once the check shows no unknown token of
/// that name is live, the create is tried once more; a second uncertain answer fails the plan
/// (a re-run redoes it). The create is never retried blindly.
struct PatCreation: Sendable {
    let client: PersonalAccessTokenClient
    let output: PipelineOutput
    /// Authorization ids seen in discovery.
    let known: Set<String>
    /// When the run started; tokens older than this (less a margin for clock skew) are not ours.
    let started: Date
    /// Waits between the checks.
    let clock: any WallClock

    /// Seconds to wait before each look at the list after an uncertain create.
    static let checkWaits: [Double] = [0, 3, 7]

    /// Creates an organization-scoped token named `displayName`.
    func create(displayName: String, scope: String, validTo: Date) async throws -> CreatedPersonalAccessToken {
        var attempt = 1
        while true {
            let error: ServiceError
            do {
                return try await client.create(displayName: displayName, scope: scope, validTo: validTo)
            } catch let failure {
                error = failure
            }
            guard Self.isUncertain(error) else { throw error }
            if let failure = await reconcile(displayName: displayName, after: error, finalAttempt: attempt == 2) {
                throw failure
            }
            output.info("Creating PAT '\(displayName)' again…")
            attempt += 1
        }
    }

    /// Whether a failed create may have created the token anyway (no answer, a 5xx, an unreadable answer).
    static func isUncertain(_ error: ServiceError) -> Bool {
        [.transport, .serverFailure, .malformedResponse].contains(error.kind)
    }

    /// Looks for a token the failed create made anyway and revokes it. Returns nil when no unknown
    /// token of that name is live (the create may be tried again), else the failure to report.
    private func reconcile(displayName: String, after error: ServiceError, finalAttempt: Bool) async -> TaskFailure? {
        output.info("Creating PAT '\(displayName)' got no certain answer (\(error.kind)); checking whether a token was created anyway…")
        // A request that timed out may still be processed a moment later: look more than once.
        var strays: [PersonalAccessToken] = []
        for wait in Self.checkWaits {
            if wait > 0 { try? await clock.sleep(seconds: wait) }
            let tokens: [PersonalAccessToken]
            do {
                tokens = try await client.list()
            } catch let listError {
                return TaskFailure("Creating PAT '\(displayName)' failed without a certain answer (\(error)), and the PAT list could not be read to check (\(listError)). ATTENTION: a PAT named '\(displayName)' created after \(Timestamp.format(started)) may be live and stored nowhere; look in the user's PAT list and revoke it by hand. The old token is untouched.")
            }
            strays = Self.strays(in: tokens, displayName: displayName, known: known, started: started)
            if !strays.isEmpty { break }
        }
        guard !strays.isEmpty else {
            let waited = Int(Self.checkWaits.reduce(0, +))
            output.info("No new PAT named '\(displayName)' appeared within \(waited) seconds: nothing was created.")
            guard finalAttempt else { return nil }
            return TaskFailure("Creating PAT '\(displayName)' failed without a certain answer (\(error)). No new token of that name appeared within \(waited) seconds, so nothing was created; the old token is untouched. Run the pipeline again (and if a PAT named '\(displayName)' created after \(Timestamp.format(started)) shows up in the user's list, revoke it).")
        }
        var revoked: [String] = []
        var live: [String] = []
        for stray in strays {
            output.info("A PAT named '\(displayName)' (\(stray.authorizationId)) was created although its value never arrived; revoking it…")
            do {
                try await client.revoke(authorizationId: stray.authorizationId)
                revoked.append(stray.authorizationId)
            } catch let revokeError {
                output.info("Revoking \(stray.authorizationId) failed: \(revokeError)")
                live.append(stray.authorizationId)
            }
        }
        if live.isEmpty, !finalAttempt { return nil }
        var message = "Creating PAT '\(displayName)' failed without a certain answer (\(error)), but the service created it anyway."
        if !revoked.isEmpty { message += " Revoked, since its value never arrived: \(revoked.joined(separator: ", "))." }
        if !live.isEmpty {
            message += " ATTENTION: PAT '\(displayName)', authorization id \(live.joined(separator: ", ")), is live and stored nowhere; revoke it by hand."
        }
        return TaskFailure(message + " The old token is untouched. Run the pipeline again.")
    }

    /// Tokens named `displayName` that appeared during this run.
    static func strays(
        in tokens: [PersonalAccessToken], displayName: String, known: Set<String>, started: Date
    ) -> [PersonalAccessToken] {
        let knownIds = Set(known.map { $0.lowercased() })
        return tokens.filter {
            $0.displayName.lowercased() == displayName.lowercased()
                && !knownIds.contains($0.authorizationId.lowercased())
                && $0.validFrom >= started.addingTimeInterval(-300)
        }
    }
}
