import Foundation
import Testing

@testable import RotateCredentialCore

/// A dry run notes what each planned change needs (#25): once per need, with every step that needs
/// it, and the task's record only when something changes.
@Suite struct AccessLedgerTests {
    static let pats = AccessNeed.managePats(owner: .accessToken(Secret("token-of-the-owner")))

    static func vault() -> KeyVaultClient {
        KeyVaultClient(
            context: PagedListTests.context(FakeTransport { _, _ in FakeTransport.json(500, "{}") }),
            vault: URL(string: "https://kv.vault.azure.net")!, credential: .accessToken(Secret("vault-token-1")))
    }

    @Test func needsAreNotedOnceWithEveryStep() {
        let ledger = AccessLedger()
        ledger.plan([Self.pats], for: "create a replacement for PAT 'a'")
        ledger.plan([Self.pats], for: "revoke PAT 'a'")
        #expect(ledger.entries.map(\.need.key) == ["pats"])
        #expect(ledger.entries.first?.steps == ["create a replacement for PAT 'a'", "revoke PAT 'a'"])
    }

    @Test func theRecordCountsOnlyWithAChange() {
        let ledger = AccessLedger()
        ledger.planRecord(.writeSecret(name: "rotate-credential-pats-contoso", vault: Self.vault()))
        #expect(ledger.entries.isEmpty)
        ledger.plan([Self.pats], for: "revoke PAT 'a'")
        #expect(
            ledger.entries.map(\.need.key) == [
                "pats", "secret:https://kv.vault.azure.net/rotate-credential-pats-contoso",
            ])
    }

    @Test func aDryRunNotesTheNeedsOfTheChangesItSkips() async {
        let ledger = AccessLedger()
        let sink = CapturingSink()
        let runner = PlanRunner(
            output: PipelineOutput(sink: sink, debugEnabled: false), dryRun: true, cancellation: Cancellation(),
            access: ledger)
        let plan = Plan(
            "Rotate",
            steps: [
                .acting("look around", effect: .inspect) { _ in StepResult() },
                .acting("create a token", needs: [Self.pats]) { _ in StepResult() },
            ])
        _ = await runner.run(plan)
        #expect(ledger.entries.map(\.steps) == [["create a token"]])
        #expect(sink.lines.contains("[dry run] would create a token"))
    }
}
