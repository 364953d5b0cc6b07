/// Time since a start, for deadlines of loops that pause: real time, with each pause the
/// stopwatch took counted at the length asked for. In production the two are the same; when a
/// test shortens every pause (`ROTATE_CREDENTIAL_TEST_SLEEP_SCALE`), a deadline still covers the
/// pauses it would cover for real, while the time the services take stays real.
struct Stopwatch: Sendable {
    let clock: any WallClock
    private let started: Date
    /// Seconds asked for but not really slept by the pauses so far.
    private var shortened = 0.0

    /// Starts now.
    init(_ clock: any WallClock) {
        self.clock = clock
        started = clock.now()
    }

    /// Seconds since the start.
    var elapsed: Double { clock.now().timeIntervalSince(started) + shortened }

    /// Pauses `seconds` on the clock.
    mutating func pause(_ seconds: Double) async throws {
        let before = clock.now()
        try await clock.sleep(seconds: seconds)
        shortened += max(0, seconds - clock.now().timeIntervalSince(before))
    }
}
