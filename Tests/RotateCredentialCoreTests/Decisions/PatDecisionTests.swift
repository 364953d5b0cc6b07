import Foundation
import Testing

@testable import RotateCredentialCore

/// Decision tables for the PAT actions: an observation in, the one next decision out.
@Suite struct PatDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func token(_ id: String, ageHours: Double, daysLeft: Double = 30) -> PersonalAccessToken {
        PersonalAccessToken(
            authorizationId: id, displayName: "n", scope: "vso.code", targetAccounts: ["org"],
            validFrom: now.addingTimeInterval(-ageHours * 3_600), validTo: now.addingTimeInterval(daysLeft * 86_400))
    }

    func observe(_ tokens: [PersonalAccessToken], held: String?, storedHoursAgo: Double = 1) -> PatObservation {
        PatObservation(
            displayName: "n", secretName: "pat-n",
            tokens: tokens.sorted { $0.validFrom > $1.validFrom },
            record: held.map { .init(authorizationId: $0, versionId: "v", stored: now.addingTimeInterval(-storedHoursAgo * 3_600)) })
    }

    func policy(_ mode: PatPolicy.Mode, renew: Int = 7, grace: Int = 24, created: Set<String> = []) -> PatPolicy {
        PatPolicy(mode: mode, renewWithinDays: renew, graceHours: grace, createdThisRun: created)
    }

    func decide(_ observation: PatObservation, _ policy: PatPolicy) -> PatDecision {
        PatDecision.decide(observation, policy: policy, now: now)
    }

    @Test func heldTokenDueIsReplacedInEveryMode() {
        let old = token("old", ageHours: 600, daysLeft: 3)
        #expect(decide(observe([old], held: "old"), policy(.rotate)) == .create(replacing: old))
        #expect(decide(observe([old], held: "old"), policy(.createOnly)) == .create(replacing: old))
        #expect(decide(observe([old], held: "old"), policy(.revokeOld)) == .converged(.upToDate(old)))
    }

    @Test func orphanNewerThanTheHeldTokenIsRevokedFirst() {
        // A kill between create and store: Key Vault holds the old token, the new one is lost.
        let old = token("old", ageHours: 600, daysLeft: 3)
        let lost = token("lost", ageHours: 0.1)
        for mode in [PatPolicy.Mode.rotate, .createOnly, .revokeOld] {
            #expect(decide(observe([old, lost], held: "old"), policy(mode)) == .revokeOrphan(lost))
        }
    }

    @Test func interruptedBeforeTheRevokeFinishesByRevoking() {
        // A kill between store and revoke: Key Vault holds the new token.
        let old = token("old", ageHours: 600, daysLeft: 3)
        let new = token("new", ageHours: 0.1)
        #expect(decide(observe([old, new], held: "new"), policy(.rotate)) == .revokeSuperseded(old, by: new))
        #expect(decide(observe([old, new], held: "new"), policy(.createOnly)) == .converged(.pending(new, older: 1)))
    }

    @Test func revokeWaitsForGraceCountedFromTheStore() {
        let old = token("old", ageHours: 600)
        let new = token("new", ageHours: 30)
        #expect(
            decide(observe([old, new], held: "new", storedHoursAgo: 2), policy(.revokeOld))
                == .converged(.withinGrace(new, storedHoursAgo: 2, graceHours: 24)))
        #expect(decide(observe([old, new], held: "new", storedHoursAgo: 25), policy(.revokeOld)) == .revokeSuperseded(old, by: new))
    }

    @Test func aFutureValidFromNeitherMintsNorBlocksRevocation() {
        // The old token claims to start tomorrow; Key Vault holds the replacement.
        let odd = token("odd", ageHours: -24)
        let new = token("new", ageHours: 30)
        #expect(decide(observe([odd, new], held: "new"), policy(.createOnly)) == .converged(.pending(new, older: 1)))
        #expect(decide(observe([odd, new], held: "new", storedHoursAgo: 30), policy(.revokeOld)) == .revokeSuperseded(odd, by: new))
    }

    @Test func noRecordJudgesTheNewestAndRefusesToGuess() {
        let only = token("only", ageHours: 600, daysLeft: 3)
        #expect(decide(observe([only], held: nil), policy(.rotate)) == .create(replacing: only))
        let fine = token("fine", ageHours: 1)
        #expect(decide(observe([fine], held: nil), policy(.rotate)) == .converged(.unmanaged(fine)))
        #expect(decide(observe([fine], held: nil), policy(.revokeOld)) == .converged(.notStored(fine)))
        guard case .fail(.ambiguous) = decide(observe([only, fine], held: nil), policy(.rotate)) else {
            Issue.record("several tokens, no record, an older one due: the run must fail naming them")
            return
        }
    }

    @Test func aTokenCreatedThisRunIsNeverDueAgain() {
        let new = token("new", ageHours: 0)
        #expect(decide(observe([new], held: "new"), policy(.rotate, renew: 0, created: ["new"])) == .converged(.upToDate(new)))
        #expect(decide(observe([new], held: "new"), policy(.rotate, renew: 0)) == .create(replacing: new))
    }

    @Test func storedTokenGoneIsReplacedButNeverRevokedAround() {
        let other = token("other", ageHours: 600)
        #expect(decide(observe([other], held: "gone", storedHoursAgo: 1), policy(.rotate)) == .create(replacing: other))
        guard case .fail(.storedCredentialGone) = decide(observe([other], held: "gone"), policy(.revokeOld)) else {
            Issue.record("pat-revoke must not revoke when Key Vault holds a dead token")
            return
        }
    }
}
