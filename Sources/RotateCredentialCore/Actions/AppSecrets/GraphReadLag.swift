/// Graph's reads lag its writes by seconds: a read right after `addPassword` may not list the new
/// secret yet, and one right after `removePassword` may still list the removed one. A run waits
/// for a plain read to show its own writes before it ends, so the next run, however soon, decides
/// on what is there.
struct GraphReadLag: Sendable {
    /// Seconds a run waits for Graph to show its own writes before it ends.
    static let settleSeconds: Double = 30

    let graph: GraphApplicationClient
    let context: ActionContext

    /// Reads the application again, with growing pauses, until `shows` holds for its secrets or
    /// `seconds` have passed (on a ``WaitProgress``); the last read.
    func read(objectId: String, within seconds: Double, until shows: ([PasswordCredential]) -> Bool)
        async throws -> GraphApplication
    {
        var stopwatch = WaitProgress(
            clock: context.clock, output: context.output,
            waitingFor: "Graph to list this run's changes to application \(objectId)",
            atMostSeconds: seconds)
        var pause = 1.0
        var application = try await graph.application(objectId: objectId)
        while !shows(application.passwordCredentials), stopwatch.elapsed < seconds {
            try await stopwatch.pause(pause)
            pause = min(pause * 2, 4)
            application = try await graph.application(objectId: objectId)
        }
        return application
    }
}
