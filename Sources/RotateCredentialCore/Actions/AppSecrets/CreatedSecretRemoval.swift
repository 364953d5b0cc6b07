import Foundation

/// Removes a client secret this task created (an undo, an orphan, a stray of an uncertain add),
/// never counting Graph's "not found" as proof: right after `addPassword` a removal can answer
/// 400 "No password credential found with keyId" while the secret exists and replicates. So the
/// removal is retried while replication can explain the answer, then the application is read
/// until the secret is gone; otherwise it is reported as left behind, by name.
struct CreatedSecretRemoval: Sendable {
    let graph: GraphApplicationClient
    let clock: any WallClock
    let output: PipelineOutput

    /// Waits before each removal attempt, and before each read that looks for the secret.
    static let removalWaits: [Double] = [0, 1, 2, 4]
    static let readWaits: [Double] = [0, 2, 4]

    /// Removes `keyId` from application `objectId`; `label` names it in messages.
    func remove(objectId: String, keyId: String, label: String) async throws {
        var lastNotFound: ServiceError?
        for wait in Self.removalWaits {
            if wait > 0 { try await clock.sleep(seconds: wait) }
            let failure: ServiceError
            do throws(ServiceError) {
                try await graph.removePassword(objectId: objectId, keyId: keyId, notFoundIsGone: false)
                return
            } catch {
                failure = error
            }
            guard GraphApplicationClient.isAlreadyGone(failure) else { throw failure }
            lastNotFound = failure
            output.info("Removing \(label) answered 'not found' (Graph may still be replicating it); trying again.")
        }
        for wait in Self.readWaits {
            if wait > 0 { try await clock.sleep(seconds: wait) }
            let application = try await graph.application(objectId: objectId)
            if !application.passwordCredentials.contains(where: { $0.keyId.lowercased() == keyId.lowercased() }) {
                output.info("\(label) is gone (the application no longer lists it).")
                return
            }
        }
        throw RotationFailure.leftBehind(
            credential: label,
            detail: "is live and stored nowhere: Graph answers \(lastNotFound.map { "'\($0.serviceMessage ?? "not found")'" } ?? "not found") to its removal but still lists it")
    }
}
