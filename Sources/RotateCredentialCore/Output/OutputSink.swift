/// Where pipeline output lines go. The executable writes them to stdout and flushes each line;
/// tests collect them.
public protocol OutputSink: Sendable {
    /// Writes one complete line (without its line break).
    func writeLine(_ line: String)
    /// Called once `task.complete` with `result` ("Failed") was written: the run reported its outcome.
    func completed(_ result: String)
}

extension OutputSink {
    /// Nothing to do by default.
    func completed(_ result: String) {}
}
