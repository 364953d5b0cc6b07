/// Proves that a client secret works: asks Entra for tokens with it until several in a row are
/// issued over ten seconds.
///
/// Graph lists a new secret at once, but the token service may reject it for seconds to minutes
/// (AADSTS7000215, "invalid client secret"; 4–18 s are reported) while it replicates, and may
/// accept it on one replica and reject it on the next. So one accepted request is not proof:
/// ``acceptedInARow`` requests ``spacingSeconds`` apart must succeed, a run of accepted requests
/// as long as the flapping that has been seen; a rejection starts the count again. Only
/// AADSTS7000215 is retried, with backoff, until `timeoutSeconds`; any other error fails at once.
/// When `isYoung` says the secret is not one that could still be replicating, AADSTS7000215 fails
/// at once too (a mistyped value). The wait reports itself at least every 10 s (``WaitProgress``).
struct SecretReplicationWait: Sendable {
    let tokens: EntraTokenClient
    let clock: any WallClock
    let output: PipelineOutput
    let timeoutSeconds: Int
    var cancellation: Cancellation = Cancellation()
    /// Whether the secret may still be replicating (nil: unknown, wait).
    var isYoung: (@Sendable () async -> Bool?)? = nil

    /// The error code Entra gives for a secret it does not know (yet).
    static let notReplicatedCode = "AADSTS7000215"
    /// Accepted token requests in a row that count as proof.
    static let acceptedInARow = 5
    /// Seconds between the proving requests.
    static let spacingSeconds = 2.5
    /// Seconds from the first to the last request of a proving run, at the least.
    static var provenSeconds: Int { Int(Double(acceptedInARow - 1) * spacingSeconds) }

    /// Waits until `secret` of application `appId` in `tenantId` obtains tokens reliably.
    func waitUntilWorks(tenantId: String, appId: String, secret: Secret) async throws {
        var stopwatch = WaitProgress(
            clock: clock, output: output,
            waitingFor:
                "Entra to accept the new secret of application \(appId) in \(Self.acceptedInARow) token requests in a row",
            atMostSeconds: Double(timeoutSeconds + Self.provenSeconds))
        var delay = 2.0
        var accepted = 0
        var attempts = 0
        var checkedYoung = false
        while true {
            try cancellation.check()
            attempts += 1
            guard let error = await tryToken(tenantId: tenantId, appId: appId, secret: secret) else {
                accepted += 1
                if accepted >= Self.acceptedInARow {
                    let seconds = Int(stopwatch.elapsed)
                    output.info(
                        "The new secret works (\(accepted) token requests in a row accepted over \(Self.provenSeconds) s; \(attempts) in all, after \(seconds) s)."
                    )
                    return
                }
                try await stopwatch.pause(Self.spacingSeconds)
                continue
            }
            guard error.code == Self.notReplicatedCode else { throw error }
            accepted = 0
            if !checkedYoung, let isYoung {
                checkedYoung = true
                if await isYoung() == false {
                    throw ReplicationFailure.notYoung(appId: appId, error: "\(error)")
                }
            }
            let elapsed = stopwatch.elapsed
            let remaining = Double(timeoutSeconds) - elapsed
            guard remaining > 0 else {
                throw ReplicationFailure.timedOut(appId: appId, seconds: Int(elapsed), timeout: timeoutSeconds)
            }
            let wait = min(delay, remaining)
            output.info(
                "The new secret does not work yet (AADSTS7000215, replication); trying again in \(Int(wait.rounded(.up))) s."
            )
            try await stopwatch.pause(wait)
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

/// Why a secret was not proven.
enum ReplicationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Still rejected after the timeout.
    case timedOut(appId: String, seconds: Int, timeout: Int)
    /// Rejected, and the application lists no young secret it could be: a wrong value.
    case notYoung(appId: String, error: String)

    var description: String {
        switch self {
        case .timedOut(let appId, let seconds, let timeout):
            return
                "The new client secret of application \(appId) still does not work after \(seconds) s (Entra answers AADSTS7000215, invalid client secret: it has not replicated yet). Raise replicationTimeoutSeconds (now \(timeout)) and run again."
        case .notYoung(let appId, let error):
            return
                "The secret is not valid for application \(appId) (AADSTS7000215, invalid client secret), and the application lists no secret with that hint created recently enough to be still replicating: the value is wrong (mistyped, or of another application). Nothing was changed. \(error)"
        }
    }
}
