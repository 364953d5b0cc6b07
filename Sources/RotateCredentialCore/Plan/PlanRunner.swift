/// Runs plans: steps in order, stopping at the first failure and undoing the changes that must
/// not linger; in a dry run, changes are logged instead of made.
public struct PlanRunner: Sendable {
    private let output: PipelineOutput
    private let dryRun: Bool
    private let cancellation: Cancellation

    /// Creates a runner; a stop request in `cancellation` ends a plan at the next step boundary.
    public init(output: PipelineOutput, dryRun: Bool, cancellation: Cancellation = Cancellation()) {
        self.output = output
        self.dryRun = dryRun
        self.cancellation = cancellation
    }

    /// Runs one plan.
    public func run(_ plan: Plan) async -> PlanOutcome {
        var completed: [String] = []
        var compensations: [Compensation] = []
        for step in plan.steps {
            if dryRun && step.effect == .change {
                output.info("[dry run] would \(step.title)")
                completed.append(step.title)
                continue
            }
            if dryRun { continue }
            do {
                try cancellation.check()
                output.info("\(step.title)…")
                if let compensation = try await step.perform() {
                    compensations.append(compensation)
                }
                if step.secures { compensations.removeAll() }
                completed.append(step.title)
            } catch {
                var undone: [String] = []
                var kept: [String] = []
                var leftBehind: [String] = []
                if step.secures, (error as? ServiceError)?.mayStillLand == true {
                    // A store abandoned by a stop request may still land: undoing the new credential
                    // could leave consumers holding a dead one. The next run sees where it is held.
                    kept = compensations.map {
                        "\($0.title): not done, since the store was abandoned by the stop request and may still land; the next run undoes it if it did not"
                    }
                    compensations = []
                }
                for compensation in compensations.reversed() {
                    output.info("Undoing: \(compensation.title)…")
                    do {
                        // An undo goes on after a stop request, within the undo deadline.
                        try await Cancellation.undoing { try await compensation.perform() }
                        undone.append(compensation.title)
                    } catch let declined as CompensationDeclined {
                        output.info("Not undone: \(declined.reason)")
                        kept.append(declined.reason)
                    } catch let undoError {
                        output.info("Undo failed: \(undoError)")
                        leftBehind.append(compensation.leftBehind)
                    }
                }
                return PlanOutcome(
                    plan: plan, completed: completed,
                    failure: .init(step: step.title, error: error, undone: undone, kept: kept, leftBehind: leftBehind))
            }
        }
        return PlanOutcome(plan: plan, completed: completed, failure: nil)
    }
}
