import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct PlanRunnerTests {
    struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

    func plan(_ log: Recorder, failAt: String?, undoFails: Bool = false) -> Plan {
        func step(_ name: String, secures: Bool = false, undo: Bool = false) -> Step {
            .change(name, secures: secures) {
                if name == failAt { throw Boom() }
                log.append(name)
                guard undo else { return nil }
                return Compensation("undo \(name)", leftBehind: "\(name) is live") {
                    if undoFails { throw Boom() }
                    log.append("undo \(name)")
                }
            }
        }
        return Plan(
            "Rotate x", untouched: "The old one is untouched.",
            steps: [
                step("create", undo: true), step("store", secures: true), step("revoke old"),
            ])
    }

    @Test func undoesACreateWhenStoringFails() async {
        let log = Recorder()
        let outcome = await PlanRunner(
            output: PipelineOutput(sink: CapturingSink(), debugEnabled: false), dryRun: false
        )
        .run(plan(log, failAt: "store"))
        #expect(log.events == ["create", "undo create"])
        #expect(outcome.failure?.undone == ["undo create"])
        #expect(outcome.stateReport.contains("The old one is untouched."))
    }

    @Test func keepsAStoredCredentialWhenALaterStepFails() async {
        let log = Recorder()
        let outcome = await PlanRunner(
            output: PipelineOutput(sink: CapturingSink(), debugEnabled: false), dryRun: false
        )
        .run(plan(log, failAt: "revoke old"))
        #expect(log.events == ["create", "store"])
        #expect(outcome.failure?.undone == [])
    }

    @Test func namesWhatIsLeftWhenAnUndoFails() async {
        let outcome = await PlanRunner(
            output: PipelineOutput(sink: CapturingSink(), debugEnabled: false), dryRun: false
        )
        .run(plan(Recorder(), failAt: "store", undoFails: true))
        #expect(outcome.failure?.leftBehind == ["create is live"])
        #expect(outcome.stateReport.contains("ATTENTION: create is live"))
    }

    @Test func dryRunChangesNothingAndSaysWhatItWouldDo() async {
        let log = Recorder()
        let sink = CapturingSink()
        let outcome = await PlanRunner(output: PipelineOutput(sink: sink, debugEnabled: false), dryRun: true)
            .run(plan(log, failAt: nil))
        #expect(log.events.isEmpty)
        #expect(outcome.succeeded)
        #expect(sink.lines == ["[dry run] would create", "[dry run] would store", "[dry run] would revoke old"])
    }

    @Test func keepsACredentialWhoseUndoIsDeclined() async {
        let plan = Plan(
            "Rotate y",
            steps: [
                .change("create") {
                    Compensation("revoke new", leftBehind: "new is live") {
                        throw CompensationDeclined("the new one is in Key Vault")
                    }
                },
                .change("store", secures: true) { throw Boom() },
            ])
        let outcome = await PlanRunner(
            output: PipelineOutput(sink: CapturingSink(), debugEnabled: false), dryRun: false
        )
        .run(plan)
        #expect(outcome.failure?.kept == ["the new one is in Key Vault"])
        #expect(outcome.failure?.leftBehind == [])
        #expect(outcome.stateReport.contains("Kept: the new one is in Key Vault."))
    }

    @Test func keepsTheNewCredentialWhenItsStoreWasAbandonedAndMayStillLand() async {
        let log = Recorder()
        let abandoned = ServiceError(
            service: .keyVault, operation: "store secret 'x'", kind: .stopped(mayHaveLanded: true),
            serviceMessage: "no answer 3.0 s after SIGINT, so it was abandoned: it may still land")
        let plan = Plan(
            "Rotate z",
            steps: [
                .change("create") { Compensation("revoke new", leftBehind: "new is live") { log.append("undo") } },
                .change("store", secures: true) { throw abandoned },
            ])
        let outcome = await PlanRunner(
            output: PipelineOutput(sink: CapturingSink(), debugEnabled: false), dryRun: false
        )
        .run(plan)
        #expect(log.events.isEmpty)
        #expect(outcome.failure?.kept.first?.hasPrefix("revoke new: not done") == true)
        #expect(outcome.stateReport.contains("may still land; the next run undoes it if it did not"))
    }

    @Test func anUndoStillReachesTheServiceAfterAStopRequest() async {
        let cancellation = Cancellation()
        let transport = StoppableTransport(
            FakeTransport { _, _ in FakeTransport.json(204, "") }, cancellation: cancellation)
        let url = URL(string: "https://example.com/x")!
        let plan = Plan(
            "Rotate w",
            steps: [
                .change("create") {
                    cancellation.cancel("SIGINT")
                    return Compensation("revoke new", leftBehind: "new is live") {
                        _ = try await transport.send(HTTPRequest(.delete, url, service: .graph, operation: "revoke"))
                    }
                },
                .change("store", secures: true) {
                    Issue.record("a step ran after the stop request")
                    return nil
                },
            ])
        let outcome = await PlanRunner(
            output: PipelineOutput(sink: CapturingSink(), debugEnabled: false), dryRun: false,
            cancellation: cancellation
        )
        .run(plan)
        #expect(outcome.failure?.undone == ["revoke new"])
        #expect(outcome.failure?.error is RunCancelled)
    }

    @Test func aConditionalStepRunsOnlyAfterWhatItDependsOn() async {
        let sink = CapturingSink()
        let runner = PlanRunner(output: PipelineOutput(sink: sink, debugEnabled: false), dryRun: false)
        func plan(converts: Bool) -> Plan {
            Plan(
                "Ask",
                steps: [
                    .acting("ask") { _ in StepResult(effects: converts ? [.proven("p")] : []) },
                    Step.read("read back") {}.only { !$0.effects.isEmpty },
                ])
        }
        #expect(await runner.run(plan(converts: false)).completed == ["ask"])
        #expect(!sink.text.contains("read back"))
        #expect(await runner.run(plan(converts: true)).completed == ["ask", "read back"])
        #expect(sink.text.contains("read back…"))
    }
}
