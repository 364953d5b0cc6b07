#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Proves that a new client secret works: asks Entra for a token with it until one is issued.
///
/// Graph lists a new secret at once, but the token service may reject it for seconds to minutes
/// (AADSTS7000215, "invalid client secret") while it replicates. Only that error is retried,
/// with backoff, until `timeoutSeconds`; any other error fails at once.
struct SecretReplicationWait: Sendable {
    let tokens: EntraTokenClient
    let clock: any WallClock
    let output: PipelineOutput
    let timeoutSeconds: Int

    /// The error code Entra gives for a secret it does not know (yet).
    static let notReplicatedCode = "AADSTS7000215"

    /// Waits until `secret` of application `appId` in `tenantId` obtains a Graph token.
    func waitUntilWorks(tenantId: String, appId: String, secret: Secret) async throws {
        let started = clock.now()
        var delay = 2.0
        var attempts = 0
        while true {
            attempts += 1
            let attempt = await tryToken(tenantId: tenantId, appId: appId, secret: secret)
            guard let error = attempt else {
                let seconds = Int(clock.now().timeIntervalSince(started))
                output.info("The new secret works (attempt \(attempts), after \(seconds) s).")
                return
            }
            guard error.code == Self.notReplicatedCode else { throw error }
            let elapsed = clock.now().timeIntervalSince(started)
            let remaining = Double(timeoutSeconds) - elapsed
            guard remaining > 0 else {
                throw TaskFailure(
                    "The new client secret of application \(appId) still does not work after \(Int(elapsed)) s (Entra answers AADSTS7000215, invalid client secret: it has not replicated yet). Raise replicationTimeoutSeconds (now \(timeoutSeconds)) and run again.")
            }
            let wait = min(delay, remaining)
            output.info("The new secret does not work yet (AADSTS7000215, replication); trying again in \(Int(wait.rounded(.up))) s.")
            try await clock.sleep(seconds: wait)
            delay = min(delay * 2, 15)
        }
    }

    /// One token request; the error, or nil when a token was issued.
    private func tryToken(tenantId: String, appId: String, secret: Secret) async -> ServiceError? {
        do {
            _ = try await tokens.token(.clientSecret(tenantId: tenantId, clientId: appId, secret: secret), for: .graph)
            return nil
        } catch {
            return error
        }
    }
}
