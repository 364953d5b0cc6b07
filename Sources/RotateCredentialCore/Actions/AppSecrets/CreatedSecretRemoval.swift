/// Removes a client secret this task created (an undo, an orphan, a stray of an uncertain add),
/// never counting Graph's "not found" as proof: right after `addPassword` a removal can answer
/// 400 "No password credential found with keyId" while the secret exists and replicates. So the
/// removal is tried again for ``settleSeconds`` (on a ``Stopwatch``: real time, pauses at full length), the
/// time in which replication can explain the answer; then the application is read, and a secret
/// it still lists is reported as left behind, by name.
struct CreatedSecretRemoval: Sendable {
    let graph: GraphApplicationClient
    let clock: any WallClock
    let output: PipelineOutput

    /// Seconds in which Graph's replication can explain a "not found" for a secret just added.
    static let settleSeconds: Double = 10
    /// Waits between removal attempts (the last one repeats).
    static let removalWaits: [Double] = [1, 2, 4]
    /// Waits before each read that looks for the secret.
    static let readWaits: [Double] = [0, 2, 4]

    /// Removes `keyId` from application `objectId`; `label` names it in messages.
    func remove(objectId: String, keyId: String, label: String) async throws {
        var stopwatch = WaitProgress(
            clock: clock, output: output, waitingFor: "Graph to remove \(label)",
            atMostSeconds: Self.settleSeconds + Self.readWaits.reduce(0, +))
        var lastNotFound: ServiceError?
        var attempt = 0
        repeat {
            if attempt > 0 {
                try await stopwatch.pause(Self.removalWaits[min(attempt - 1, Self.removalWaits.count - 1)])
            }
            attempt += 1
            let failure: ServiceError
            do throws(ServiceError) {
                try await graph.removePassword(objectId: objectId, keyId: keyId, notFoundIsGone: false)
                output.info("Removed \(label).")
                return
            } catch {
                failure = error
            }
            guard GraphApplicationClient.isAlreadyGone(failure) else { throw failure }
            lastNotFound = failure
            output.info("Removing \(label) answered 'not found' (Graph may still be replicating it); trying again.")
        } while stopwatch.elapsed < Self.settleSeconds
        try await confirmGone(
            objectId: objectId, keyId: keyId, label: label, lastNotFound: lastNotFound, progress: &stopwatch)
    }

    /// After replication can no longer explain "not found": gone only if the application does not list it.
    private func confirmGone(
        objectId: String, keyId: String, label: String, lastNotFound: ServiceError?, progress: inout WaitProgress
    ) async throws {
        for wait in Self.readWaits {
            if wait > 0 { try await progress.pause(wait) }
            let application = try await graph.application(objectId: objectId)
            if !application.passwordCredentials.contains(where: { $0.keyId.lowercased() == keyId.lowercased() }) {
                output.info("\(label) is gone (the application no longer lists it).")
                return
            }
        }
        throw RotationFailure.leftBehind(
            credential: label,
            detail:
                "is live and stored nowhere: Graph answers \(lastNotFound.map { "'\($0.serviceMessage ?? "not found")'" } ?? "not found") to its removal but still lists it"
        )
    }
}
