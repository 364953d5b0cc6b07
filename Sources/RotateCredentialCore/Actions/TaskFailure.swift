/// A failure of the task that is not a single service call: a plan that stopped, a check that
/// did not hold. The message says what happened, what state things are in and what to do.
public struct TaskFailure: Error, Sendable, CustomStringConvertible {
    /// The message.
    public let message: String

    /// Creates a failure.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
