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

/// A stop request, checked at step boundaries: the step in flight finishes, what must not linger
/// is undone, the state is reported and the run fails.
public final class Cancellation: Sendable {
    private let signal = Mutex<String?>(nil)

    /// Creates a flag that is not set.
    public init() {}

    /// Records a stop request (the first signal's name is kept).
    public func cancel(_ name: String) {
        signal.withLock { if $0 == nil { $0 = name } }
    }

    /// The signal that asked to stop, or nil.
    public var requested: String? { signal.withLock { $0 } }

    /// Throws ``RunCancelled`` once a stop was requested.
    public func check() throws(RunCancelled) {
        if let name = requested { throw RunCancelled(signal: name) }
    }
}

/// Thrown at a step boundary after SIGINT or SIGTERM.
public struct RunCancelled: Error, Sendable, Equatable, CustomStringConvertible {
    /// The signal's name.
    public let signal: String

    public var description: String {
        "the run was cancelled (\(signal)) and stopped at a step boundary"
    }
}
