import Synchronization

/// Where stop requests come from: the executable wires SIGINT and SIGTERM (the agent cancels a
/// step that way, and the Node handler forwards both); tests send them by hand.
public protocol SignalSource: Sendable {
    /// Calls `onSignal` with the signal's name ("SIGINT") each time one arrives.
    func start(_ onSignal: @escaping @Sendable (String) -> Void)
}

/// A source that never signals: the default for tests and library callers.
public struct NoSignals: SignalSource {
    /// Creates the source.
    public init() {}
    /// Does nothing.
    public func start(_ onSignal: @escaping @Sendable (String) -> Void) {}
}

/// A stop request and its deadlines.
///
/// Plans check it at step boundaries; ``StoppableClock`` cuts every wait at once;
/// ``StoppableTransport`` sends nothing new, abandons reads in flight at once and writes in flight
/// at ``Deadlines/writes``. Only undo calls (what must not linger, run inside ``undoing(_:)``) still
/// go out, until ``Deadlines/undo``. The times come from the ``StopBudget`` and count from the
/// signal, on the monotonic clock: the agent's timers are real time whatever the test clock says.
final class Cancellation: Sendable {
    /// When a run that was asked to stop must have finished what.
    struct Deadlines: Sendable, Equatable {
        /// The first signal's name.
        var signal: String
        /// When it arrived.
        var received: ContinuousClock.Instant
        /// Until when a write in flight may still answer.
        var writes: ContinuousClock.Instant
        /// Until when undo calls may run.
        var undo: ContinuousClock.Instant

        /// The instant of `deadline`.
        func instant(_ deadline: Deadline) -> ContinuousClock.Instant {
            switch deadline {
            case .stop: return received
            case .writes: return writes
            case .undo: return undo
            }
        }
    }

    /// Which of the ``Deadlines`` a call or a wait is held to.
    enum Deadline: Sendable {
        /// The stop request itself: reads and ordinary waits end at once.
        case stop
        /// A write in flight.
        case writes
        /// An undo's calls and waits.
        case undo
    }

    private struct State {
        var deadlines: Deadlines?
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waits cancelled before they were registered.
        var dropped: Set<Int> = []
        var next = 0
    }

    private let state = Mutex(State())
    /// How the time after a signal is shared.
    let budget: StopBudget

    /// Whether the current task runs an undo (see ``undoing(_:)``).
    @TaskLocal static var isUndoing = false

    /// Creates a flag that is not set.
    init(budget: StopBudget = StopBudget()) {
        self.budget = budget
    }

    /// Records a stop request: the first signal's name is kept; a later SIGTERM can only bring the
    /// deadlines forward (the agent kills 2.5 s after it).
    func cancel(_ name: String) {
        let now = ContinuousClock.now
        let fresh = Deadlines(
            signal: name, received: now, writes: now + .seconds(budget.writeEnd(of: name)),
            undo: now + .seconds(budget.undoEnd(of: name)))
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if var known = state.deadlines {
                known.writes = min(known.writes, fresh.writes)
                known.undo = min(known.undo, fresh.undo)
                state.deadlines = known
            } else {
                state.deadlines = fresh
            }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for continuation in waiting { continuation.resume() }
    }

    /// The signal that asked to stop, or nil.
    var requested: String? { state.withLock { $0.deadlines?.signal } }

    /// The deadlines once a stop was requested.
    var deadlines: Deadlines? { state.withLock { $0.deadlines } }

    /// Throws ``RunCancelled`` once a stop was requested.
    func check() throws(RunCancelled) {
        if let name = requested { throw RunCancelled(signal: name) }
    }

    /// Runs `body` as an undo of what must not linger (a credential created and stored nowhere):
    /// its calls and waits go on after a stop request, until ``Deadlines/undo``.
    static func undoing<Result: Sendable>(_ body: () async throws -> Result) async rethrows -> Result {
        try await $isUndoing.withValue(true) { try await body() }
    }

    /// Waits for a stop request and then for `deadline` (followed in steps of at most 0.1 s, so a
    /// SIGTERM that brings it forward is seen); true once it passed, false when the calling task
    /// was cancelled first.
    func waitFor(_ deadline: Deadline) async -> Bool {
        await waitUntilStopped()
        while !Task.isCancelled, let deadlines {
            let left = ContinuousClock.now.duration(to: deadlines.instant(deadline))
            if left <= .zero { return true }
            try? await Task.sleep(for: min(left, .milliseconds(100)))
        }
        return false
    }

    /// Returns once a stop is requested, or as soon as the calling task is cancelled.
    func waitUntilStopped() async {
        let id = state.withLock { state -> Int in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.deadlines != nil || state.dropped.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiting = state.waiters.removeValue(forKey: id) { return waiting }
                // Not registered yet (after a stop it never will be: it resumes at once).
                if state.deadlines == nil { state.dropped.insert(id) }
                return nil
            }
            continuation?.resume()
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Thrown at a step boundary, or by a wait, after SIGINT or SIGTERM.
struct RunCancelled: Error, Sendable, Equatable, CustomStringConvertible {
    /// The signal's name.
    let signal: String

    var description: String {
        "the run was cancelled (\(signal)) and stopped"
    }
}
