/// How long a run may take to stop after the agent's signal, and how that time is shared.
///
/// On a cancel the agent sends SIGINT to the Node handler (which forwards it), waits
/// `PROCESS_SIGINT_TIMEOUT` (7.5 s by default), sends SIGTERM, waits `PROCESS_SIGTERM_TIMEOUT`
/// (2.5 s) and kills the handler; the binary is then an orphan whose output nobody reads. So after a
/// signal the run ends within that signal's window: reads in flight are abandoned at once, a write in
/// flight gets ``writeShare`` of the window to answer, undo calls run until ``undoEnd(of:)``, and the
/// rest is left for the report, `task.complete` and the exit.
struct StopBudget: Sendable, Equatable {
    /// Seconds from SIGINT until the agent sends SIGTERM.
    var interrupt: Double
    /// Seconds from SIGTERM until the agent kills the handler.
    var terminate: Double

    /// The share of a window a write in flight may still take: 3 s of SIGINT's 7.5 s.
    static let writeShare = 0.4

    /// The agent's defaults: 7.5 s after SIGINT, 2.5 s after SIGTERM.
    init(interrupt: Double = 7.5, terminate: Double = 2.5) {
        self.interrupt = interrupt
        self.terminate = terminate
    }

    /// The windows the agent uses for this step: its knobs `PROCESS_SIGINT_TIMEOUT` and
    /// `PROCESS_SIGTERM_TIMEOUT` (milliseconds) reach the task's environment when they are set as
    /// pipeline variables; anything else means the defaults.
    init(environment: [String: String]) {
        func seconds(_ name: String, _ fallback: Double) -> Double {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), let milliseconds = Int(text),
                milliseconds > 0
            else { return fallback }
            return Double(milliseconds) / 1000
        }
        self.init(interrupt: seconds("PROCESS_SIGINT_TIMEOUT", 7.5), terminate: seconds("PROCESS_SIGTERM_TIMEOUT", 2.5))
    }

    /// Seconds `signal` leaves the process before the agent's next step (SIGTERM, or the kill).
    func window(_ signal: String) -> Double {
        signal == "SIGTERM" ? terminate : interrupt
    }

    /// Seconds after `signal` until which a write in flight may still answer.
    func writeEnd(of signal: String) -> Double {
        window(signal) * Self.writeShare
    }

    /// Seconds after `signal` until which undo calls may run: the window less what the report and
    /// the exit need (0.75 s, or a fifth of a longer window).
    func undoEnd(of signal: String) -> Double {
        let window = window(signal)
        return max(0, window - max(0.75, window * 0.2))
    }
}
