/// A broken internal invariant: a bug in this task, never a problem with the inputs or the
/// services. Thrown where a failure must still take the ordinary path (a plan undoes its steps,
/// the run reports and exits 1) rather than stop the process.
struct InternalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What should have held.
    let invariant: String

    /// An error for the invariant `invariant`.
    init(_ invariant: String) {
        self.invariant = invariant
    }

    var description: String {
        "Internal error in rotate-credential: \(invariant). This is a bug; please report it with this log."
    }

    /// `value`, which the invariant `invariant` guarantees to be there.
    static func unwrap<Value>(_ value: Value?, _ invariant: @autoclosure () -> String) throws(InternalError) -> Value {
        guard let value else { throw InternalError(invariant()) }
        return value
    }
}
