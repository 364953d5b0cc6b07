/// Where pipeline output lines go. The executable writes them to stdout and flushes each line;
/// tests collect them.
public protocol OutputSink: Sendable {
    /// Writes one complete line (without its line break).
    func writeLine(_ line: String)
}
