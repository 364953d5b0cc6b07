/// What an action reports back to the runner.
struct ActionResult: Sendable {
    /// Whether anything was (or in a dry run, would have been) changed.
    var changed: Bool
    /// Markdown for the run summary (`task.uploadsummary`).
    var summaryMarkdown: String
    /// Plans that failed; the task fails when there is one.
    var failures: [PlanOutcome]

    /// Creates a result.
    init(changed: Bool, summaryMarkdown: String, failures: [PlanOutcome] = []) {
        self.changed = changed
        self.summaryMarkdown = summaryMarkdown
        self.failures = failures
    }
}

/// One action of the task.
protocol TaskAction: Sendable {
    /// Performs the action.
    func run(_ context: ActionContext) async throws -> ActionResult
}
