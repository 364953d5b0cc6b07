/// The one observe → decide → act loop every reconciling action runs (PATs, client secrets).
///
/// A subject knows its own kind of credential: its policy, its decision and the words for it, how
/// to build the plan that carries a decision out, record what the plan did, and observe again. The
/// loop owns the order and the stops, so every action keeps the same promises: one decision per
/// round, a final decision ends the run, a dry run prints the first plan and stops, a failed plan
/// or a failed observation stops, and the loop gives up after ``maxRounds`` rounds.
protocol ReconcileSubject: Sendable {
    associatedtype Observation: Sendable
    associatedtype Policy
    associatedtype Decision: ReconcileDecision where Decision.Observation == Observation, Decision.Policy == Policy
    associatedtype Explanation: ReconcileExplanation where Explanation.Decision == Decision
    associatedtype Outcome: ReconcileOutcome where Outcome.Observation == Observation, Outcome.Decision == Decision
    /// What a plan's steps leave behind for ``record(_:result:log:into:)`` (steps are closures); a
    /// fresh one for every plan.
    associatedtype Log: ReconcileLog

    /// Rounds before the loop gives up (each round acts once).
    static var maxRounds: Int { get }
    /// The action's services: output, clock, runner and configuration.
    var context: ActionContext { get }
    /// What the action wants, the decision's other input (mode, margins, what this run created).
    var policy: Policy { get }

    /// The credential, for the failure that says the loop did not converge ("PAT 'nightly'").
    func credential(_ observation: Observation) -> String
    /// The plan that carries out `decision`, its steps writing into `log`.
    func plan(for decision: Decision, observation: Observation, log: Log) async throws -> Plan
    /// What the run reports when ``plan(for:observation:log:)`` throws.
    func unbuiltPlan(_ error: any Error, observation: Observation) -> PlanOutcome
    /// Records in `outcome` what the plan for `decision` did.
    func record(_ decision: Decision, result: PlanOutcome, log: Log, into outcome: inout Outcome)
    /// Remembers what the plan for `decision` changed (the credential it created, if any), so the
    /// later decisions and observations of this run know it.
    mutating func remember(_ decision: Decision, result: PlanOutcome, log: Log)
    /// Observes the subject again after a plan ran.
    func observeAgain(_ observation: Observation) async throws -> Observation
    /// Called when the loop reached a converged decision: an observation to decide from again
    /// when the last one was this run's writes laid over reads that lag behind them, once a plain
    /// read shows those writes (it may show more: a secret an interrupted run made). Nil when
    /// there is nothing to settle. So a run ends only where the next run's reads will start.
    mutating func settle(_ observation: Observation) async throws -> Observation?
}

/// A decision of a ``ReconcileSubject``: the loop stops at a converged state or a failure.
protocol ReconcileDecision: Sendable {
    associatedtype Observation
    associatedtype Policy

    /// The one next thing to do for `observation` at the services' time `now`: a pure function.
    static func decide(_ observation: Observation, policy: Policy, now: Date) -> Self
    /// Whether nothing is left to do (`.converged`).
    var isConverged: Bool { get }
    /// The failure a `.fail` decision reports (nil for any other decision).
    var failure: RotationFailure? { get }
}

extension ReconcileDecision {
    /// Whether the loop stops here: converged, or failed.
    var isFinal: Bool { isConverged || failure != nil }
}

/// The words for the decisions of a ``ReconcileSubject``: the log lines live there, the decisions
/// are values.
protocol ReconcileExplanation {
    associatedtype Decision: ReconcileDecision

    /// One log line for `decision`.
    static func text(_ decision: Decision, observation: Decision.Observation, policy: Decision.Policy, now: Date)
        -> String
}

/// What the steps of one plan write down for the subject (they are closures).
protocol ReconcileLog: Sendable {
    init()
}

/// What a run of the loop did to one ``ReconcileSubject``.
protocol ReconcileOutcome: Sendable {
    associatedtype Observation
    associatedtype Decision

    init(initial: Observation)
    /// The last observation, when the loop stopped at a final decision or a dry run.
    var final: Observation? { get set }
    /// Every decision, in order.
    var decisions: [Decision] { get set }
    /// A plan that failed or could not be built.
    var failedPlan: PlanOutcome? { get set }
    /// A decision or loop that stopped the run.
    var failure: RotationFailure? { get set }
}

extension ReconcileSubject {
    /// The one next thing to do, decided at the services' time.
    func decide(_ observation: Observation) -> Decision {
        Decision.decide(observation, policy: policy, now: context.serviceNow)
    }

    /// Why `decision` follows from `observation`, for the log.
    func explain(_ decision: Decision, observation: Observation) -> String {
        Explanation.text(decision, observation: observation, policy: policy, now: context.serviceNow)
    }

    /// Names ``credential(_:)`` as what is left untouched (a subject may say more).
    func unbuiltPlan(_ error: any Error, observation: Observation) -> PlanOutcome {
        PlanOutcome(failed: credential(observation), error: error)
    }

    /// Nothing to settle: the subject's reads do not lag its writes.
    func settle(_ observation: Observation) async throws -> Observation? { nil }

    /// Runs the loop from `first` (the observation discovery made).
    func run(from first: Observation) async -> Outcome {
        var outcome = Outcome(initial: first)
        var observation = first
        var subject = self
        for round in 1...Self.maxRounds {
            let decision = subject.decide(observation)
            outcome.decisions.append(decision)
            context.output.info(subject.explain(decision, observation: observation))
            if decision.isFinal, decision.failure != nil || context.configuration.dryRun {
                outcome.failure = decision.failure
                outcome.final = observation
                return outcome
            }
            if !decision.isFinal, await !subject.act(on: decision, observation: observation, outcome: &outcome) {
                return outcome
            }
            do {
                // After a plan, observe again; at a converged decision, settle (nil: nothing lags behind).
                let next =
                    decision.isFinal
                    ? try await subject.settle(observation) : try await subject.observeAgain(observation)
                guard let next else {
                    outcome.final = observation
                    return outcome
                }
                observation = next
            } catch {
                outcome.failure = .notConverged(
                    credential: subject.credential(observation), rounds: round, last: "\(error)")
                return outcome
            }
        }
        outcome.failure = .notConverged(
            credential: subject.credential(observation), rounds: Self.maxRounds,
            last: outcome.decisions.last.map { "\($0)" } ?? "")
        return outcome
    }

    /// Builds and runs the plan for `decision` and records what it did; whether the loop goes on
    /// (not after a dry run, nor after a plan that failed or could not be built).
    private mutating func act(on decision: Decision, observation: Observation, outcome: inout Outcome) async -> Bool {
        let log = Log()
        let plan: Plan
        do {
            plan = try await self.plan(for: decision, observation: observation, log: log)
        } catch {
            outcome.failedPlan = unbuiltPlan(error, observation: observation)
            return false
        }
        let result = await context.runner.run(plan)
        if context.configuration.dryRun {
            outcome.final = observation
            return false
        }
        record(decision, result: result, log: log, into: &outcome)
        remember(decision, result: result, log: log)
        return result.succeeded
    }
}
