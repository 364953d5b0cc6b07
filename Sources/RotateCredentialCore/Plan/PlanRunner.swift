/// Runs plans: steps in order, stopping at the first failure and undoing the changes that must
/// not linger; in a dry run, changes are logged instead of made.
struct PlanRunner: Sendable {
    private let output: PipelineOutput
    private let dryRun: Bool
    private let cancellation: Cancellation
    private let access: AccessLedger?

    /// Creates a runner; a stop request in `cancellation` ends a plan at the next step boundary.
    init(output: PipelineOutput, dryRun: Bool, cancellation: Cancellation = Cancellation()) {
        self.init(output: output, dryRun: dryRun, cancellation: cancellation, access: nil)
    }

    /// A runner whose dry runs note what each skipped change needs in `access` (``AccessCheck``).
    init(output: PipelineOutput, dryRun: Bool, cancellation: Cancellation, access: AccessLedger?) {
        self.output = output
        self.dryRun = dryRun
        self.cancellation = cancellation
        self.access = access
    }

    /// Runs one plan.
    func run(_ plan: Plan) async -> PlanOutcome {
        var completed: [String] = []
        var compensations: [Compensation] = []
        var progress = PlanProgress()
        for step in plan.steps {
            if let condition = step.condition, !condition(progress) { continue }
            if dryRun, step.effect != .inspect {
                if step.effect == .change {
                    output.info("[dry run] would \(step.title)")
                    access?.plan(step.needs, for: step.title)
                    completed.append(step.title)
                }
                continue
            }
            do {
                try cancellation.check()
                output.info("\(step.title)…")
                let result = try await step.perform(progress)
                progress.effects += result.effects
                if let compensation = result.compensation { compensations.append(compensation) }
                if step.secures { compensations.removeAll() }
                completed.append(step.title)
            } catch {
                if let partial = error as? StepPartialFailure {
                    progress.effects += partial.effects
                    if step.secures, !partial.effects.isEmpty { compensations.removeAll() }
                }
                let failure = await undo(compensations, after: step, error: error, progress: &progress)
                return PlanOutcome(plan: plan, completed: completed, failure: failure, effects: progress.effects)
            }
        }
        return PlanOutcome(plan: plan, completed: completed, failure: nil, effects: progress.effects)
    }

    /// Runs the undos of a failed plan, newest first, and says what each did. A store abandoned by
    /// a stop request may still land: undoing the new credential then could leave consumers
    /// holding a dead one, so it is kept (it was created inside the run's recorded intent: the
    /// next run sees where it is held, and removes it if it is held nowhere).
    private func undo(
        _ compensations: [Compensation], after step: Step, error: any Error, progress: inout PlanProgress
    ) async -> PlanOutcome.Failure {
        var undone: [String] = []
        var kept: [String] = []
        var leftBehind: [String] = []
        var pending = compensations
        if step.secures, (error as? ServiceError)?.mayStillLand == true {
            kept = pending.map {
                "\($0.title): not done, since the store was abandoned by the stop request and may still land; the next run undoes it if it did not"
            }
            pending = []
        }
        for compensation in pending.reversed() {
            output.info("Undoing: \(compensation.title)…")
            do {
                // An undo goes on after a stop request, within the undo deadline.
                try await Cancellation.undoing { try await compensation.perform() }
                undone.append(compensation.title)
                if let id = compensation.takesBack { progress.effects.append(.tookBack(id)) }
            } catch let declined as CompensationDeclined {
                output.info("Not undone: \(declined.reason)")
                kept.append(declined.reason)
            } catch let undoError {
                output.info("Undo failed: \(undoError)")
                leftBehind.append(compensation.leftBehind)
            }
        }
        return .init(step: step.title, error: error, undone: undone, kept: kept, leftBehind: leftBehind)
    }
}
