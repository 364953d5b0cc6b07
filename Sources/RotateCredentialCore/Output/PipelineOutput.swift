import Synchronization

/// The one writer of everything the task prints: logging commands and plain log lines.
///
/// Every secret is registered (`task.setsecret`: the whole value and each of its lines that could
/// stand alone, see ``SecretValueRule``) before anything else can print it; every text is scrubbed
/// of every registered value as a second line of defence, and cannot smuggle in a `##vso` command
/// of its own. Outside an agent (``AgentPresence``) no command shows a secret value: nothing would
/// mask it there. Beyond ``shownWarnings`` warnings, further ones are folded into one that counts
/// them; the run summary lists them (``foldedWarnings``).
final class PipelineOutput: SecretMasker {
    /// Outcome of the task as `task.complete` names it (case-sensitive for the agent).
    enum Result: String, Sendable {
        case succeeded = "Succeeded"
        case succeededWithIssues = "SucceededWithIssues"
        case failed = "Failed"
    }

    /// Severity of a `task.logissue`.
    enum IssueType: String, Sendable {
        case error
        case warning
    }

    /// Warnings reported as issues before the rest are folded: the agent puts only the first 10
    /// issues of a step on the run's timeline.
    static let shownWarnings = 5

    private struct State {
        var secrets = SecretIndex()
        var warnings = 0
        var folded: [String] = []
        /// Set by `complete`: the agent reads `task.complete` as the step's last word, so a late
        /// line (an independent request answering after a failure) is dropped.
        var completed = false
    }

    private let sink: any OutputSink
    private let state = Mutex(State())
    /// Whether `##[debug]` lines are written (`SYSTEM_DEBUG=true`).
    let debugEnabled: Bool
    /// Whether a pipeline agent reads the output; when false no secret value is ever printed.
    let underAgent: Bool

    /// Creates a writer over `sink`.
    init(sink: any OutputSink, debugEnabled: Bool, underAgent: Bool = true) {
        self.sink = sink
        self.debugEnabled = debugEnabled
        self.underAgent = underAgent
    }

    /// Registers a secret: the whole value and each line that could stand alone as a secret (the
    /// agent masks line by line, and values of any length: a `{` line would mask every brace).
    func mask(_ secret: Secret) {
        let parts = SecretValueRule.maskableParts(of: secret.exposedValue)
        let fresh: [String] = state.withLock { state in
            parts.filter { part in
                // The JSON-escaped form too, so the report is scrubbed like the log.
                _ = Self.jsonEscaped(part).map { state.secrets.insert($0) }
                return state.secrets.insert(part)
            }
        }
        guard underAgent else { return }
        for part in fresh {
            write(LoggingCommand("task.setsecret", data: part).line)
        }
    }

    /// Sets a plain pipeline variable.
    func setVariable(_ name: String, _ value: String, isOutput: Bool = true) {
        emit(
            LoggingCommand(
                "task.setvariable",
                properties: [("variable", name), ("isoutput", String(isOutput)), ("issecret", "false")],
                data: clean(value)))
    }

    /// Sets a secret pipeline variable. Multi-line values are refused: the agent would print the
    /// raw command, value included, while rejecting it.
    func setSecretVariable(_ name: String, _ secret: Secret, isOutput: Bool = true) {
        mask(secret)
        guard underAgent else {
            info("The value of \(name) is not printed: outside a pipeline agent nothing would mask it.")
            return
        }
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

    /// Writes an ordinary log line (one line: see ``line(_:)``).
    func info(_ message: String) {
        write(line(message))
    }

    /// Writes a `##[debug]` line when `SYSTEM_DEBUG` is true.
    func debug(_ message: @autoclosure () -> String) {
        guard debugEnabled else { return }
        write("##[debug]" + line(message()))
    }

    /// Reports a warning (`task.logissue type=warning`); beyond ``shownWarnings`` it is written as
    /// a plain `##[warning]` line and counted in one warning at the end.
    func warning(_ message: String) {
        let text = line(message)
        let fold: Bool = state.withLock { state in
            state.warnings += 1
            guard state.warnings > Self.shownWarnings else { return false }
            state.folded.append(text)
            return true
        }
        guard fold else { return logIssue(.warning, message) }
        write("##[warning]" + text)
    }

    /// The warnings that were not reported as issues, scrubbed, in order (for the run summary).
    var foldedWarnings: [String] { state.withLock { $0.folded } }

    /// Reports an error (`task.logissue type=error`). It does not fail the task by itself.
    func error(_ message: String) {
        logIssue(.error, message)
    }

    /// Writes `task.logissue`.
    func logIssue(_ type: IssueType, _ message: String, code: String? = nil) {
        var properties = [("type", type.rawValue)]
        if let code { properties.append(("code", code)) }
        emit(LoggingCommand("task.logissue", properties: properties, data: line(message)))
    }

    /// Number of warnings reported so far.
    var warningCount: Int { state.withLock { $0.warnings } }

    /// Writes `task.complete`, the last line of the run.
    func complete(_ result: Result, _ message: String) {
        let folded = foldedWarnings.count
        if folded > 0 {
            let places =
                underAgent
                ? "in the log as ##[warning] lines and in the run summary" : "in the log as ##[warning] lines"
            logIssue(
                .warning,
                "\(folded) more warning\(folded == 1 ? "" : "s") (beyond the first \(Self.shownWarnings)) \(folded == 1 ? "is" : "are") \(places)."
            )
        }
        let command = LoggingCommand("task.complete", properties: [("result", result.rawValue)], data: line(message))
        if write(text(of: command), completing: true) { sink.completed(result.rawValue) }
    }

    /// Attaches a Markdown file to the run summary (`task.uploadsummary`).
    func uploadSummary(path: String) {
        emit(LoggingCommand("task.uploadsummary", data: path))
    }

    /// Opens a collapsible group.
    func group(_ title: String) {
        write("##[group]" + line(title))
    }

    /// Closes the current group.
    func endGroup() {
        write("##[endgroup]")
    }

    /// Replaces every registered secret in `text` by `***`.
    func scrub(_ text: String) -> String {
        state.withLock { $0.secrets.scrub(text) }
    }

    /// `text` as it may be written anywhere (log, summary, report): scrubbed and neutralised.
    func clean(_ text: String) -> String {
        Self.neutralize(scrub(text))
    }

    /// `text` as one log line: cleaned, and with every control character shown as an escape
    /// (`\n`, `\u{1B}`), so text from a service (a display name, an error message) can neither
    /// start a line of its own nor bring a formatting command (`##[error]`) to a line's start.
    func line(_ text: String) -> String {
        Self.oneLine(clean(text))
    }

    private func emit(_ command: LoggingCommand) {
        write(text(of: command))
    }

    /// The line of `command`: escaped for the agent, which unescapes it; outside an agent nothing
    /// does, so the text stays as written there (a `%` is not shown as `%AZP25`).
    private func text(of command: LoggingCommand) -> String {
        underAgent ? command.line : command.plainLine
    }

    /// Writes a line unless the run is complete; whether it was written. The check and the write
    /// share one lock, so a line from another task cannot slip in after `task.complete`.
    @discardableResult
    private func write(_ line: String, completing: Bool = false) -> Bool {
        state.withLock { state in
            guard !state.completed else { return false }
            sink.writeLine(line)
            if completing { state.completed = true }
            return true
        }
    }

    /// `value` as it appears inside a JSON string the task writes, when that differs from `value`.
    static func jsonEscaped(_ value: String) -> String? {
        guard value.unicodeScalars.contains(where: { $0 == "\"" || $0 == "\\" || $0.value < 0x20 }),
            let data = try? JSON.encoder().encode([value])
        else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        let escaped = String(text.dropFirst(2).dropLast(2))
        return escaped == value ? nil : escaped
    }

    /// The agent treats `##vso[` anywhere in a line as a command and warns about any other
    /// `##vso`; text from services (display names, error messages) must never become one. The
    /// agent itself rewrites such text as `**vso` (`StringUtil`), and so does this.
    /// `##[` (a formatting command such as `##[error]` when it starts a line) is rewritten as `**[` too.
    static func neutralize(_ line: String) -> String {
        line.replacingOccurrences(of: "##vso", with: "**vso", options: .caseInsensitive)
            .replacingOccurrences(of: "##[", with: "**[")
    }

    /// `text` with every control character but the tab (C0, DEL, C1, and the Unicode line and
    /// paragraph separators) written as an escape: the agent splits lines at CR and LF, the web UI
    /// at more than that.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isLineBreaking) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isLineBreaking(scalar) else {
                result.append(scalar)
                continue
            }
            let escape: String
            switch scalar {
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            default: escape = "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
            result.append(contentsOf: escape.unicodeScalars)
        }
        return String(result)
    }

    private static func isLineBreaking(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
            || scalar.value == 0x2029
    }
}
