/// The time, and waiting: real in the executable, controlled in tests.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Waits `seconds`.
    func sleep(seconds: Double) async throws
}
