/// The run's clock: the given one, with every wait cut short by a stop request.
///
/// After SIGINT or SIGTERM a wait (a retry's backoff, `Retry-After`, a replication or reconcile
/// pause) throws ``RunCancelled`` at once instead of running out its time; inside an undo
/// (``Cancellation/undoing(_:)``) a wait goes on, but not past the undo deadline.
struct StoppableClock: WallClock {
    let base: any WallClock
    let cancellation: Cancellation

    func now() -> Date { base.now() }

    func sleep(seconds: Double) async throws {
        let undoing = Cancellation.isUndoing
        if !undoing { try cancellation.check() }
        let cancellation = self.cancellation
        let base = self.base
        let cut = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await base.sleep(seconds: seconds)
                return false
            }
            group.addTask {
                await cancellation.waitFor(undoing ? .undo : .stop)
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                // A watcher that ended without its deadline (the task was cancelled) decides nothing.
                if next || !Task.isCancelled { return next }
            }
            return false
        }
        if cut, let signal = cancellation.requested { throw RunCancelled(signal: signal) }
        try Task.checkCancellation()
    }
}
