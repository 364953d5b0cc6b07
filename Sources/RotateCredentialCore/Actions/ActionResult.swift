/// What an action reports back to the runner.
public struct ActionResult: Sendable {
    /// Whether anything was (or in a dry run, would have been) changed.
    public var changed: Bool
    /// Markdown for the run summary (`task.uploadsummary`).
    public var summaryMarkdown: String
    /// Plans that failed; the task fails when there is one.
    public var failures: [PlanOutcome]

    /// Creates a result.
    public init(changed: Bool, summaryMarkdown: String, failures: [PlanOutcome] = []) {
        self.changed = changed
        self.summaryMarkdown = summaryMarkdown
        self.failures = failures
    }
}

/// One action of the task.
public protocol TaskAction: Sendable {
    /// Performs the action.
    func run(_ context: ActionContext) async throws -> ActionResult
}
