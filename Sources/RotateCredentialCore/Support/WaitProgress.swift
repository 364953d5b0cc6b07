/// A long wait that says what it waits for and for how long at most, then prints a line at least
/// every ``interval`` seconds until it ends: a person watching a device-code sign-in, or anyone
/// reading the log of a step that seems stuck, sees what is going on.
///
/// It measures like a ``Stopwatch`` (real time, each pause counted at the length asked for), so a
/// loop's deadline and its progress lines agree when tests shorten the pauses. Use ``pause(_:)`` for
/// every pause of the wait (it sleeps in slices that end where a line is due) and ``tick()`` after
/// work that takes time of its own.
struct WaitProgress: Sendable {
    /// The longest silence, in seconds.
    static let interval = 10.0

    private var stopwatch: Stopwatch
    private let report: @Sendable (String) -> Void
    private let what: String
    private let limit: Double
    /// `elapsed` at which the next line is due.
    private var nextLine: Double

    /// Starts the wait for `what` ("the PAT owner to sign in"), which lasts at most `limit` seconds,
    /// reporting to the log. A wait that may last longer than ``interval`` says so at once.
    init(clock: any WallClock, output: PipelineOutput, waitingFor what: String, atMostSeconds limit: Double) {
        self.init(clock: clock, report: { output.info($0) }, waitingFor: what, atMostSeconds: limit)
    }

    /// The same, reporting each line to `report` (a layer that logs through a closure of its own).
    init(
        clock: any WallClock, report: @escaping @Sendable (String) -> Void, waitingFor what: String,
        atMostSeconds limit: Double
    ) {
        stopwatch = Stopwatch(clock)
        self.report = report
        self.what = what
        self.limit = limit
        nextLine = Self.interval
        if limit > Self.interval {
            report("Waiting for \(what) (at most \(Self.duration(limit))).")
        }
    }

    /// Seconds since the start (pauses counted at their full length).
    var elapsed: Double { stopwatch.elapsed }

    /// Pauses `seconds`, printing each line that falls due meanwhile.
    mutating func pause(_ seconds: Double) async throws {
        var remaining = seconds
        while remaining > 0 {
            let slice = min(remaining, max(0, nextLine - elapsed))
            if slice > 0 {
                try await stopwatch.pause(slice)
                remaining -= slice
            }
            tick()
        }
    }

    /// Prints a line when one is due.
    mutating func tick() {
        let now = elapsed
        guard now >= nextLine else { return }
        report("Still waiting for \(what): \(Self.duration(now)) so far, at most \(Self.duration(limit)).")
        nextLine = now + Self.interval
    }

    /// `seconds` for a log line: "45 s", "15 min", "2 min 30 s".
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        guard whole >= 120 else { return "\(whole) s" }
        return whole % 60 == 0 ? "\(whole / 60) min" : "\(whole / 60) min \(whole % 60) s"
    }
}
