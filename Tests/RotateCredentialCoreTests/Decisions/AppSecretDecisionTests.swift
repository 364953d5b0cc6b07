import Foundation
import Testing

@testable import RotateCredentialCore

/// Decision tables for the app-secret actions: an observation in, the one next decision out.
@Suite struct AppSecretDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func password(_ id: String, startedHoursAgo: Double, endsInDays: Double, ours: Bool = false) -> PasswordCredential {
        PasswordCredential(
            keyId: id, displayName: ours ? "rotate-credential 2027-01-15" : "by hand",
            startDateTime: now.addingTimeInterval(-startedHoursAgo * 3_600),
            endDateTime: now.addingTimeInterval(endsInDays * 86_400))
    }

    func observe(
        _ passwords: [PasswordCredential], held: String?, given: Set<String> = [], connections: [String] = [],
        vault: Bool = true
    ) -> AppSecretObservation {
        AppSecretObservation(
            objectId: "o", appId: "a", label: "'app'", passwords: passwords,
            record: held.map {
                .init(keyId: $0, versionId: "v", stored: now.addingTimeInterval(-3_600), connections: given)
            },
            hasVault: vault, connections: connections)
    }

    func policy(removes: Bool = true, created: Set<String> = []) -> AppSecretPolicy {
        AppSecretPolicy(
            removesOld: removes, renewWithinDays: 7, retention: PasswordRetention(keepSecrets: 2, graceHours: 24),
            displayName: "rotate-credential 2027-01-15", createdThisRun: created)
    }

    func decide(_ observation: AppSecretObservation, _ policy: AppSecretPolicy) -> AppSecretDecision {
        AppSecretDecision.decide(observation, policy: policy, now: now)
    }

    @Test func heldSecretDueIsReplaced() {
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        #expect(decide(observe([old], held: "old"), policy()) == .create)
    }

    @Test func orphanOfOursIsRemovedBeforeAnythingElse() {
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        let lost = password("lost", startedHoursAgo: 0.1, endsInDays: 700, ours: true)
        #expect(decide(observe([old, lost], held: "old"), policy()) == .removeOrphan(lost))
        let foreign = password("foreign", startedHoursAgo: 0.1, endsInDays: 700)
        #expect(
            decide(observe([old, foreign], held: "old"), policy()) == .create,
            "a secret not made by the task is never removed as an orphan")
    }

    @Test func orphanListedOnlyAfterThisRunsReplacementIsStillAnOrphan() {
        // An interrupted run added 'lost'; Graph's lag hid it until this run had stored 'new'.
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        let lost = password("lost", startedHoursAgo: 0.02, endsInDays: 700, ours: true)
        let new = password("new", startedHoursAgo: 0.01, endsInDays: 700, ours: true)
        var begun = policy(created: ["new"])
        let observation = observe([old, lost, new], held: "new", given: ["prod"], connections: ["prod"])
        #expect(decide(observation, begun) == .converged(.upToDate(new)), "without the start, 'lost' looks old")
        begun.heldWhenRunBegan = old.startDateTime
        #expect(decide(observation, begun) == .removeOrphan(lost))
    }

    @Test func connectionBehindTheRecordGetsTheCurrentValue() {
        // Run 1 failed with 403 on 'prod' after storing: run 2 brings it up to date.
        let new = password("new", startedHoursAgo: 1, endsInDays: 700, ours: true)
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        let observation = observe([old, new], held: "new", given: ["test"], connections: ["test", "Prod"])
        #expect(decide(observation, policy()) == .updateConnection("Prod"))
    }

    @Test func oldSecretsGoOnlyAfterEveryConnectionHoldsTheNewOne() {
        let new = password("new", startedHoursAgo: 30, endsInDays: 700, ours: true)
        let mid = password("mid", startedHoursAgo: 2000, endsInDays: 5)
        let old = password("old", startedHoursAgo: 4000, endsInDays: 100)
        let done = observe([old, mid, new], held: "new", given: ["prod"], connections: ["prod"])
        #expect(decide(done, policy()) == .removeOld(old))
        #expect(decide(done, policy(removes: false)) == .converged(.upToDate(new)))
    }

    @Test func convergedWhenEveryConsumerHoldsALiveSecret() {
        let new = password("new", startedHoursAgo: 1, endsInDays: 700, ours: true)
        #expect(
            decide(observe([new], held: "new", given: ["prod"], connections: ["prod"]), policy())
                == .converged(.upToDate(new)))
    }

    @Test func aSecretCreatedThisRunIsNeverDueAgain() {
        let new = password("new", startedHoursAgo: 0, endsInDays: 3, ours: true)
        #expect(decide(observe([new], held: "new"), policy(created: ["new"])) == .converged(.upToDate(new)))
    }

    @Test func withoutAVaultTheNewestDecides() {
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        #expect(decide(observe([old], held: nil, connections: ["prod"], vault: false), policy()) == .create)
        let lost = password("lost", startedHoursAgo: 0.1, endsInDays: 700, ours: true)
        #expect(
            decide(observe([old, lost], held: nil, connections: ["prod"], vault: false), policy(removes: false))
                == .converged(.upToDate(lost)))
    }

    @Test func noRecordNeverRemovesAndRefusesToGuessAfterALostSecret() {
        // Key Vault records nothing: a secret of ours may be held by a connection given it by hand.
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        let ours = password("ours", startedHoursAgo: 0.1, endsInDays: 700, ours: true)
        guard case .fail(.ambiguous) = decide(observe([old, ours], held: nil, connections: ["prod"]), policy()) else {
            Issue.record("no record, our secret newest, an older one due: fail naming them, remove nothing")
            return
        }
        #expect(decide(observe([old], held: nil, connections: ["prod"]), policy()) == .create)
    }
}
