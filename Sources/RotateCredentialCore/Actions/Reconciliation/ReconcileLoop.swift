/// The one observe → decide → act loop every reconciling action runs.
///
/// A subject knows its own kind of credential: its policy, its decision and the words for it, how
/// to build the plan that carries a decision out, what the plan's effects change, and how to
/// observe again. The loop owns the order and the stops, so every action keeps the same promises:
/// one decision per round; before the first change, the subject takes the run's lease (and
/// decides again if another run changed things meanwhile); a failed plan or observation stops; a
/// converged subject settles (its reads may lag its writes) and is never failed; after
/// ``ReconcileSubject/maxRounds`` plans the loop decides once more and fails only if that
/// decision still wants a change. A dry run goes through the same rounds on the state its own
/// planned changes would produce (``ReconcileSubject/simulate(_:observation:)``), so it shows
/// the whole plan, and changes nothing.
protocol ReconcileSubject: Sendable {
    associatedtype Observation: Sendable
    associatedtype Policy
    associatedtype Decision: ReconcileDecision where Decision.Observation == Observation, Decision.Policy == Policy
    associatedtype Explanation: ReconcileExplanation where Explanation.Decision == Decision
    associatedtype Outcome: ReconcileOutcome where Outcome.Observation == Observation, Outcome.Decision == Decision

    /// Plans before the loop gives up.
    static var maxRounds: Int { get }
    /// The action's services: output, clock, runner and configuration.
    var context: ActionContext { get }
    /// What the action wants, the decision's other input (mode, margins, what this run created).
    var policy: Policy { get }

    /// The credential, for messages ("PAT 'nightly'").
    func credential(_ observation: Observation) -> String
    /// The plan that carries out `decision`.
    func plan(for decision: Decision, observation: Observation) async throws -> Plan
    /// What the run reports when ``plan(for:observation:)`` throws.
    func unbuiltPlan(_ error: any Error, observation: Observation) -> PlanOutcome
    /// Records in `outcome` what the plan for `decision` did (its effects).
    func record(_ decision: Decision, result: PlanOutcome, into outcome: inout Outcome)
    /// Remembers what the plan for `decision` changed, so later decisions and observations of
    /// this run know it.
    mutating func remember(_ decision: Decision, result: PlanOutcome)
    /// Observes the subject again after a plan ran.
    func observeAgain(_ observation: Observation) async throws -> Observation
    /// Called at a converged decision: an observation to decide from again when the last one was
    /// this run's writes laid over reads that lag behind them, once a plain read shows those
    /// writes. Nil when there is nothing to settle.
    mutating func settle(_ observation: Observation) async throws -> Observation?
    /// Called before acting on a decision that changes something: takes the run's lease (once).
    /// A fresh observation when another run may have changed the subject since `observation`.
    mutating func prepareToChange(_ observation: Observation) async throws -> Observation?
    /// What a dry run assumes the plan for `decision` leaves; nil to stop there.
    mutating func simulate(_ decision: Decision, observation: Observation) -> Observation?
}

/// A decision of a ``ReconcileSubject``.
protocol ReconcileDecision: Sendable {
    associatedtype Observation
    associatedtype Policy

    /// The one next thing to do for `observation` at the services' time `now`: a pure function.
    static func decide(_ observation: Observation, policy: Policy, now: Date) -> Self
    /// Whether nothing is left to do (`.converged`).
    var isConverged: Bool { get }
    /// The failure a `.fail` decision reports (nil for any other decision).
    var failure: RotationFailure? { get }
    /// Whether acting on it changes anything (rather than only reading).
    var changes: Bool { get }
}

/// The words for the decisions of a ``ReconcileSubject``: the log lines live there, the decisions
/// are values.
protocol ReconcileExplanation {
    associatedtype Decision: ReconcileDecision

    /// One log line for `decision`.
    static func text(_ decision: Decision, observation: Decision.Observation, policy: Decision.Policy, now: Date)
        -> String
}

/// What a run of the loop did to one ``ReconcileSubject``.
protocol ReconcileOutcome: Sendable {
    associatedtype Observation
    associatedtype Decision

    init(initial: Observation)
    /// The last observation.
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

    /// Nothing to prepare: no record, no lease.
    func prepareToChange(_ observation: Observation) async throws -> Observation? { nil }

    /// Runs the loop from `first` (the observation discovery made).
    func run(from first: Observation) async -> Outcome {
        var state = LoopState<Self>(subject: self, observation: first)
        while true {
            let decision = state.subject.decide(state.observation)
            state.outcome.decisions.append(decision)
            context.output.info(state.subject.explain(decision, observation: state.observation))
            switch await state.step(on: decision) {
            case .next: continue
            case .stop: return state.outcome
            }
        }
    }
}

/// The loop's state between rounds: the subject (which remembers this run's writes), the last
/// observation, the plans run so far and the outcome.
struct LoopState<Subject: ReconcileSubject> {
    var subject: Subject
    var observation: Subject.Observation
    var outcome: Subject.Outcome
    var plans = 0

    /// Whether the loop goes on.
    enum Next { case next, stop }

    init(subject: Subject, observation: Subject.Observation) {
        self.subject = subject
        self.observation = observation
        outcome = Subject.Outcome(initial: observation)
    }

    private var dryRun: Bool { subject.context.configuration.dryRun }

    /// Carries out `decision`: stops at a failure or a settled convergence, otherwise acts and
    /// moves on to the next observation.
    mutating func step(on decision: Subject.Decision) async -> Next {
        if let failure = decision.failure { return stop(failure) }
        if decision.isConverged { return await settle() }
        guard plans < Subject.maxRounds else {
            let last = subject.explain(decision, observation: observation)
            return stop(
                RotationFailure.notConverged(credential: subject.credential(observation), rounds: plans, last: last))
        }
        if decision.changes, !dryRun {
            do {
                if let fresh = try await subject.prepareToChange(observation) {
                    observation = fresh
                    return .next
                }
            } catch {
                return stop(error)
            }
        }
        plans += 1
        guard await act(on: decision) else { return .stop }
        return await observeNext(after: decision)
    }

    private mutating func settle() async -> Next {
        if dryRun { return stop(nil) }
        do {
            guard let next = try await subject.settle(observation) else { return stop(nil) }
            observation = next
            return .next
        } catch {
            return stop(error)
        }
    }

    /// Builds and runs the plan for `decision` and records what it did; whether the loop goes on.
    private mutating func act(on decision: Subject.Decision) async -> Bool {
        let plan: Plan
        do {
            plan = try await subject.plan(for: decision, observation: observation)
        } catch {
            outcome.failedPlan = subject.unbuiltPlan(error, observation: observation)
            return false
        }
        let result = await subject.context.runner.run(plan)
        subject.remember(decision, result: result)
        if dryRun { return true }
        subject.record(decision, result: result, into: &outcome)
        if !result.succeeded { outcome.final = observation }
        return result.succeeded
    }

    private mutating func observeNext(after decision: Subject.Decision) async -> Next {
        if dryRun {
            guard let next = subject.simulate(decision, observation: observation) else { return stop(nil) }
            observation = next
            return .next
        }
        do {
            observation = try await subject.observeAgain(observation)
            return .next
        } catch {
            return stop(error)
        }
    }

    /// Ends the loop at the last observation, with `error` as the reason when there is one.
    private mutating func stop(_ error: (any Error)?) -> Next {
        outcome.final = observation
        if let failure = error as? RotationFailure {
            outcome.failure = failure
        } else if let error {
            outcome.failedPlan = subject.unbuiltPlan(error, observation: observation)
        }
        return .stop
    }
}
