#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Synchronization

/// The one writer of everything the task prints: logging commands and plain log lines.
///
/// Every secret is registered (`task.setsecret`, one command per line of a multi-line value)
/// before anything else can print it; plain lines are scrubbed of every registered value as a
/// second line of defence, and cannot smuggle in a `##vso[` command of their own.
public final class PipelineOutput: SecretMasker {
    /// Outcome of the task as `task.complete` names it (case-sensitive for the agent).
    public enum Result: String, Sendable {
        case succeeded = "Succeeded"
        case succeededWithIssues = "SucceededWithIssues"
        case failed = "Failed"
    }

    /// Severity of a `task.logissue`.
    public enum IssueType: String, Sendable {
        case error
        case warning
    }

    private struct State {
        var secrets = SecretIndex()
        var warnings = 0
        /// Set by `complete`: the agent reads `task.complete` as the step's last word, so a late
        /// line (an independent request answering after a failure) is dropped.
        var completed = false
    }

    private let sink: any OutputSink
    private let state = Mutex(State())
    /// Whether `##[debug]` lines are written (`SYSTEM_DEBUG=true`).
    public let debugEnabled: Bool

    /// Creates a writer over `sink`.
    public init(sink: any OutputSink, debugEnabled: Bool) {
        self.sink = sink
        self.debugEnabled = debugEnabled
    }

    /// Registers a secret with the agent's masker. Each line is registered on its own, since the
    /// masker works line by line and the agent refuses multi-line `setsecret` values.
    public func mask(_ secret: Secret) {
        let lines = secret.exposedValue.split(whereSeparator: \.isNewline)
            .map(String.init).filter { !$0.isEmpty }
        let fresh: [String] = state.withLock { state in
            lines.filter { state.secrets.insert($0) }
        }
        for line in fresh {
            write(LoggingCommand("task.setsecret", data: line).line)
        }
    }

    /// Sets a plain pipeline variable.
    public func setVariable(_ name: String, _ value: String, isOutput: Bool = true) {
        emit(
            LoggingCommand(
                "task.setvariable",
                properties: [("variable", name), ("isoutput", String(isOutput)), ("issecret", "false")],
                data: scrub(value)))
    }

    /// Sets a secret pipeline variable. Multi-line values are refused: the agent would print the
    /// raw command, value included, while rejecting it.
    public func setSecretVariable(_ name: String, _ secret: Secret, isOutput: Bool = true) {
        mask(secret)
        guard !secret.exposedValue.contains(where: \.isNewline) else {
            warning("The value of \(name) has several lines and was not set as a variable.")
            return
        }
        emit(
            LoggingCommand(
                "task.setvariable",
                properties: [("variable", name), ("isoutput", String(isOutput)), ("issecret", "true")],
                data: secret.exposedValue))
    }

    /// Writes an ordinary log line.
    public func info(_ message: String) {
        for line in scrub(message).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            write(Self.neutralize(String(line)))
        }
    }

    /// Writes `##[debug]` lines when `SYSTEM_DEBUG` is true.
    public func debug(_ message: @autoclosure () -> String) {
        guard debugEnabled else { return }
        for line in scrub(message()).split(whereSeparator: \.isNewline) {
            write("##[debug]" + Self.neutralize(String(line)))
        }
    }

    /// Reports a warning (`task.logissue type=warning`).
    public func warning(_ message: String) {
        state.withLock { $0.warnings += 1 }
        logIssue(.warning, message)
    }

    /// Reports an error (`task.logissue type=error`). It does not fail the task by itself.
    public func error(_ message: String) {
        logIssue(.error, message)
    }

    /// Writes `task.logissue`.
    public func logIssue(_ type: IssueType, _ message: String, code: String? = nil) {
        var properties = [("type", type.rawValue)]
        if let code { properties.append(("code", code)) }
        emit(LoggingCommand("task.logissue", properties: properties, data: scrub(message)))
    }

    /// Number of warnings reported so far.
    public var warningCount: Int { state.withLock { $0.warnings } }

    /// Writes `task.complete`, the last line of the run.
    public func complete(_ result: Result, _ message: String) {
        let line = LoggingCommand("task.complete", properties: [("result", result.rawValue)], data: scrub(message)).line
        write(line, completing: true)
    }

    /// Attaches a Markdown file to the run summary (`task.uploadsummary`).
    public func uploadSummary(path: String) {
        emit(LoggingCommand("task.uploadsummary", data: path))
    }

    /// Opens a collapsible group.
    public func group(_ title: String) {
        write("##[group]" + Self.neutralize(scrub(title)))
    }

    /// Closes the current group.
    public func endGroup() {
        write("##[endgroup]")
    }

    /// Replaces every registered secret in `text` by `***`.
    public func scrub(_ text: String) -> String {
        state.withLock { $0.secrets.scrub(text) }
    }

    private func emit(_ command: LoggingCommand) {
        write(command.line)
    }

    /// Writes a line unless the run is complete. The check and the write share one lock, so a
    /// line from another task cannot slip in after `task.complete`.
    private func write(_ line: String, completing: Bool = false) {
        state.withLock { state in
            guard !state.completed else { return }
            sink.writeLine(line)
            if completing { state.completed = true }
        }
    }

    /// The agent treats `##vso[` anywhere in a line as a command; text from services
    /// (display names, error messages) must never become one.
    static func neutralize(_ line: String) -> String {
        line.replacingOccurrences(of: "##vso[", with: "##vso(")
    }
}
