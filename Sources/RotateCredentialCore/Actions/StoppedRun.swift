/// The JSON report of a run that a stop request (SIGINT, SIGTERM) ended before its action could
/// report anything itself: which action, which signal, and the error it stopped with (naming what
/// was left where). An action that gets to its end writes its own report instead.
struct StoppedRun: Encodable, Sendable {
    /// The action.
    var action: String
    /// Organization.
    var organization: String
    /// Whether nothing was to be changed on purpose.
    var dryRun: Bool
    /// The signal that stopped the run.
    var cancelled: String
    /// Where the action stopped, in words.
    var error: String

    /// The report of `configuration`'s run, stopped by `signal` with `error`.
    init(_ configuration: Configuration, signal: String, error: String) {
        action = configuration.action.rawValue
        organization = configuration.organization
        dryRun = configuration.dryRun
        cancelled = signal
        self.error = error
    }
}
