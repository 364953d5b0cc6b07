import Foundation
import Synchronization
import Testing

@testable import RotateCredentialCore

/// The loop itself, as a state machine with its own tests: a counter that wants to reach a
/// target, one step a round, stands in for a credential.
@Suite struct ReconcileLoopTests {
    struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

    struct CounterPolicy: Sendable, Equatable {
        var target: Int
        var failAt: Int? = nil
        /// Settling reveals that the counter is one lower than the overlay said (a lagging read).
        var lagOnce = false
    }

    enum CounterDecision: ReconcileDecision, Equatable {
        case add
        case converged
        static func decide(_ observation: Int, policy: CounterPolicy, now: Date) -> Self {
            observation < policy.target ? .add : .converged
        }
        var isConverged: Bool { self == .converged }
        var failure: RotationFailure? { nil }
        var changes: Bool { self == .add }
    }

    enum CounterExplanation: ReconcileExplanation {
        static func text(_ decision: CounterDecision, observation: Int, policy: CounterPolicy, now: Date) -> String {
            decision == .add ? "the counter is at \(observation), below \(policy.target); adding one" : "done"
        }
    }

    struct CounterOutcome: ReconcileOutcome {
        var initial: Int
        var final: Int?
        var decisions: [CounterDecision] = []
        var failedPlan: PlanOutcome?
        var failure: RotationFailure?
        var plans = 0
        init(initial: Int) { self.initial = initial }
    }

    struct Counter: ReconcileSubject {
        typealias Explanation = CounterExplanation
        static let maxRounds = 3
        let context: ActionContext
        let policy: CounterPolicy
        let preparations: Recorder
        var lagged = false

        func credential(_ observation: Int) -> String { "counter" }
        func plan(for decision: CounterDecision, observation: Int) -> Plan {
            let fail = policy.failAt == observation
            return Plan(
                "Add one",
                steps: [
                    .acting("add one to \(observation)") { _ in
                        if fail { throw Boom() }
                        return StepResult()
                    }
                ])
        }
        func record(_ decision: CounterDecision, result: PlanOutcome, into outcome: inout CounterOutcome) {
            outcome.plans += 1
            if !result.succeeded { outcome.failedPlan = result }
        }
        mutating func remember(_ decision: CounterDecision, result: PlanOutcome) {}
        func observeAgain(_ observation: Int) async throws -> Int { observation + 1 }
        mutating func settle(_ observation: Int) async throws -> Int? {
            guard policy.lagOnce, !lagged else { return nil }
            lagged = true
            return observation - 1
        }
        func prepareToChange(_ observation: Int) async throws -> Int? {
            preparations.append("\(observation)")
            return nil
        }
        mutating func simulate(_ decision: CounterDecision, observation: Int) -> Int? { observation + 1 }
    }

    func context(dryRun: Bool = false, sink: CapturingSink = CapturingSink()) throws -> ActionContext {
        var configuration = try ConfigurationLoader.load(environment: [
            "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso", "INPUT_PATOWNERACCESSTOKEN": "owner-token",
        ])
        configuration.dryRun = dryRun
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        let clock = FakeClock()
        let http = HTTPClient(transport: RouteTransport([]), output: output, clock: clock)
        let services = ServiceContext(
            http: http, urls: .contoso, tokens: TokenCache(client: EntraTokenClient(http: http, urls: .contoso)))
        return ActionContext(
            configuration: configuration, output: output, clock: clock, services: services,
            files: MemoryFileWriter(), cancellation: Cancellation())
    }

    func run(_ policy: CounterPolicy, from start: Int = 0, dryRun: Bool = false, sink: CapturingSink = CapturingSink())
        async throws -> (CounterOutcome, [String])
    {
        let preparations = Recorder()
        let counter = Counter(
            context: try context(dryRun: dryRun, sink: sink), policy: policy, preparations: preparations)
        return (await counter.run(from: start), preparations.events)
    }

    @Test func actsUntilConvergedAndTakesTheLeaseBeforeEachChange() async throws {
        let (outcome, preparations) = try await run(CounterPolicy(target: 2))
        #expect(outcome.decisions == [.add, .add, .converged])
        #expect(outcome.plans == 2)
        #expect(outcome.final == 2)
        #expect(outcome.failure == nil && outcome.failedPlan == nil)
        #expect(preparations == ["0", "1"])
    }

    @Test func decidesOnceMoreAfterTheLastRoundAndNeverFailsAConvergedSubject() async throws {
        let (outcome, _) = try await run(CounterPolicy(target: 3))
        #expect(outcome.plans == 3)
        #expect(outcome.decisions.last == .converged)
        #expect(outcome.failure == nil)
    }

    @Test func givesUpAfterItsRoundsInWords() async throws {
        let (outcome, _) = try await run(CounterPolicy(target: 10))
        #expect(outcome.plans == 3)
        guard case .notConverged(_, let rounds, let last) = outcome.failure else {
            Issue.record("a subject still wanting a change after its rounds fails")
            return
        }
        #expect(rounds == 3)
        #expect(last == "the counter is at 3, below 10; adding one", "the last decision in words, not a debug dump")
        #expect(outcome.failure?.isTerminal == false)
    }

    @Test func aFailedPlanStopsTheLoop() async throws {
        let (outcome, _) = try await run(CounterPolicy(target: 3, failAt: 1))
        #expect(outcome.decisions == [.add, .add])
        #expect(outcome.plans == 2)
        #expect(outcome.failedPlan?.failure?.step == "add one to 1")
        #expect(outcome.final == 1)
    }

    @Test func aConvergedSubjectSettlesAndGoesOnWhenTheReadShowsMore() async throws {
        let (outcome, _) = try await run(CounterPolicy(target: 2, lagOnce: true))
        #expect(outcome.decisions == [.add, .add, .converged, .add, .converged])
        #expect(outcome.plans == 3)
    }

    @Test func aDryRunShowsEveryRoundAndChangesNothing() async throws {
        let sink = CapturingSink()
        let (outcome, preparations) = try await run(CounterPolicy(target: 2), dryRun: true, sink: sink)
        #expect(outcome.decisions == [.add, .add, .converged])
        #expect(outcome.plans == 0, "nothing is recorded as done")
        #expect(preparations.isEmpty, "no lease is taken")
        #expect(
            sink.lines.filter { $0.hasPrefix("[dry run] would add one") } == [
                "[dry run] would add one to 0", "[dry run] would add one to 1",
            ])
    }
}
