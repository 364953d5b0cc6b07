/// An ordered list of steps for one credential, run by ``PlanRunner``.
///
/// The order encodes the safety rule: create, store, read back (a step that `secures`), and only
/// then revoke or remove the old credential.
struct Plan: Sendable {
    /// What the plan achieves ("Rotate PAT 'nightly-deploy'").
    let title: String
    /// The steps, in order.
    let steps: [Step]
    /// What stays as it was if the plan stops early ("the old token … is untouched and live").
    let untouched: String?

    /// Creates a plan.
    init(_ title: String, untouched: String? = nil, steps: [Step]) {
        self.title = title
        self.steps = steps
        self.untouched = untouched
    }
}

/// What happened to a plan.
struct PlanOutcome: Sendable {
    /// The plan.
    let plan: Plan
    /// Titles of the steps that completed (or, in a dry run, would have run).
    let completed: [String]
    /// The failure, if a step failed.
    let failure: Failure?
    /// What the steps (and undos) did, in order.
    let effects: [StepEffect]

    /// A failed step and its consequences.
    struct Failure: Sendable {
        /// The step that failed.
        let step: String
        /// Why.
        let error: any Error
        /// Undos that worked.
        let undone: [String]
        /// Undos declined because the new credential is in use, with the reason.
        let kept: [String]
        /// What remains live because an undo failed.
        let leftBehind: [String]
    }

    /// An outcome for a failure that is a decision, not a step (nothing was done).
    init(failed subject: String, error: any Error) {
        self.plan = Plan(subject, steps: [])
        self.completed = []
        self.failure = Failure(step: "decide", error: error, undone: [], kept: [], leftBehind: [])
        self.effects = []
    }

    /// Creates an outcome.
    init(plan: Plan, completed: [String], failure: Failure?, effects: [StepEffect] = []) {
        self.plan = plan
        self.completed = completed
        self.failure = failure
        self.effects = effects
    }

    /// The effects as a ``PlanProgress``.
    var progress: PlanProgress { PlanProgress(effects: effects) }

    /// Whether every step succeeded.
    var succeeded: Bool { failure == nil }

    /// A precise account of the state after a failure, for the error message.
    var stateReport: String {
        guard let failure else { return "\(plan.title): done." }
        if failure.step == "decide", plan.steps.isEmpty { return "\(failure.error)" }
        var lines = ["\(plan.title): step '\(failure.step)' failed: \(failure.error)"]
        if !completed.isEmpty { lines.append("Completed before it: \(completed.joined(separator: "; ")).") }
        if !failure.undone.isEmpty { lines.append("Undone: \(failure.undone.joined(separator: "; ")).") }
        if !failure.kept.isEmpty { lines.append("Kept: \(failure.kept.joined(separator: "; ")).") }
        if !failure.leftBehind.isEmpty {
            lines.append("ATTENTION: \(failure.leftBehind.joined(separator: "; ")); revoke or store it by hand.")
        }
        if let untouched = plan.untouched { lines.append(untouched) }
        return lines.joined(separator: " ")
    }
}
