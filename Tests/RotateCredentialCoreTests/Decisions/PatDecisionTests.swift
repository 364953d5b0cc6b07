import Foundation
import Testing

@testable import RotateCredentialCore

/// Decision tables for the PAT actions: an observation (tokens, Key Vault's version, the task's
/// record) in, the one next decision out.
@Suite struct PatDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func token(_ id: String, ageHours: Double, daysLeft: Double = 30) -> PersonalAccessToken {
        PersonalAccessToken(
            authorizationId: id, displayName: "n", scope: "vso.code", targetAccounts: ["org"],
            validFrom: now.addingTimeInterval(-ageHours * 3_600), validTo: now.addingTimeInterval(daysLeft * 86_400))
    }

    /// An intent over "n" opened `openedHoursAgo` and closed 30 minutes later (a killed run's).
    func intent(openedHoursAgo: Double, settled: [String]? = nil) -> Intent {
        let opened = now.addingTimeInterval(-openedHoursAgo * 3_600)
        var intent = Intent(id: "i", run: "r", opened: opened, closes: opened.addingTimeInterval(1_800), names: ["n"])
        if let settled {
            intent.settled = true
            intent.left = settled
        }
        return intent
    }

    func observe(
        _ tokens: [PersonalAccessToken], held: String?, storedHoursAgo: Double = 1, replaces: String? = nil,
        intents: [Intent] = [], unmanaged: [String] = []
    ) -> PatObservation {
        var record = CredentialRecord(scope: "pats:org")
        record.intents = intents
        record.unmanaged = unmanaged
        return PatObservation(
            displayName: "n", secretName: "pat-n", tokens: tokens.sorted { $0.validFrom > $1.validFrom },
            stored: held.map {
                .init(
                    authorizationId: $0, versionId: "v", stored: now.addingTimeInterval(-storedHoursAgo * 3_600),
                    replaces: replaces)
            }, record: record)
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

    @Test func orphanInsideARecordedIntentIsRevokedFirstInEveryMode() {
        // A kill between create and store: the run had recorded its intent; Key Vault holds the old token.
        let old = token("old", ageHours: 600, daysLeft: 3)
        let lost = token("lost", ageHours: 0.1)
        for mode in [PatPolicy.Mode.rotate, .createOnly, .revokeOld] {
            #expect(
                decide(observe([old, lost], held: "old", intents: [intent(openedHoursAgo: 0.2)]), policy(mode))
                    == .revokeOrphans([lost]))
        }
    }

    @Test func aTokenAPersonMadeIsNeverRevoked() {
        // Issue 26, case 1: a same-name token made by hand after the rotation, outside any intent.
        let held = token("held", ageHours: 48)
        let person = token("person", ageHours: 1)
        for mode in [PatPolicy.Mode.rotate, .createOnly, .revokeOld] {
            #expect(
                decide(observe([held, person], held: "held", storedHoursAgo: 48), policy(mode))
                    == .converged(.upToDate(held)))
        }
        // Once recorded as a person's, it is not superseded by a later replacement either.
        let replacement = token("replacement", ageHours: 0.1)
        let later = observe(
            [held, person, replacement], held: "replacement", storedHoursAgo: 30, unmanaged: ["person"])
        #expect(decide(later, policy(.rotate)) == .revokeSuperseded([held], by: replacement))
        #expect(decide(later, policy(.revokeOld)) == .revokeSuperseded([held], by: replacement))
    }

    @Test func anIntentWindowHasSmallSlackBeforeAndTwoMinutesAfter() {
        let held = token("held", ageHours: 600, daysLeft: 20)
        // The intent opened 2 h ago and closed 30 minutes later.
        let intents = [intent(openedHoursAgo: 2)]
        let justBefore = token("justBefore", ageHours: 2 + 1.0 / 3_600)
        let tooEarly = token("tooEarly", ageHours: 2 + 3.0 / 3_600)
        let lateInside = token("lateInside", ageHours: 1.5 - 119.0 / 3_600)
        let tooLate = token("tooLate", ageHours: 1.5 - 121.0 / 3_600)
        for (inside, token) in [(true, justBefore), (false, tooEarly), (true, lateInside), (false, tooLate)] {
            let decision = decide(observe([held, token], held: "held", intents: intents), policy(.rotate))
            #expect(
                decision == (inside ? .revokeOrphans([token]) : .converged(.upToDate(held))),
                "\(token.authorizationId): a token outside every intent is a person's, never revoked")
        }
    }

    @Test func aSettledIntentOwnsOnlyWhatItListsAsLeft() {
        let held = token("held", ageHours: 600, daysLeft: 20)
        let left = token("left", ageHours: 0.2)
        let person = token("person", ageHours: 0.1)
        let intents = [intent(openedHoursAgo: 0.3, settled: ["left"])]
        #expect(
            decide(observe([held, left, person], held: "held", intents: intents), policy(.rotate))
                == .revokeOrphans([left]))
    }

    @Test func aCreateThatLandedLateIsAnOrphanEvenWhenOlderThanTheHeldToken() {
        // A create got no certain answer and was sent again; the first landed after the checks.
        // The run kept its intent open: the late token shares it with the held one.
        let original = token("original", ageHours: 600)
        let late = token("late", ageHours: 0.05)
        let held = token("held", ageHours: 0.04)
        let intents = [intent(openedHoursAgo: 0.1)]
        let observation = observe([original, late, held], held: "held", replaces: "original", intents: intents)
        #expect(decide(observation, policy(.createOnly)) == .revokeOrphans([late]))
        #expect(decide(observation, policy(.revokeOld)) == .revokeOrphans([late]))
        // The token the held version replaced is never an orphan, whatever intent it was made in.
        let again = observe([late, held], held: "held", replaces: "late", intents: intents)
        #expect(decide(again, policy(.createOnly)) == .converged(.pending(held, older: 1)))
    }

    @Test func everySupersededTokenGoesInOneRound() {
        // Issue 26, case 5: seven older live tokens of the same name.
        let new = token("new", ageHours: 0.1)
        let older = (1...7).map { token("old\($0)", ageHours: 100 + Double($0)) }
        #expect(decide(observe([new] + older, held: "new"), policy(.rotate)) == .revokeSuperseded(older, by: new))
        #expect(decide(observe([new] + older, held: "new"), policy(.createOnly)) == .converged(.pending(new, older: 7)))
    }

    @Test func revokeWaitsForGraceCountedFromTheStore() {
        let old = token("old", ageHours: 600)
        let new = token("new", ageHours: 30)
        #expect(
            decide(observe([old, new], held: "new", storedHoursAgo: 2), policy(.revokeOld))
                == .converged(.withinGrace(new, storedHoursAgo: 2, graceHours: 24)))
        #expect(
            decide(observe([old, new], held: "new", storedHoursAgo: 25), policy(.revokeOld))
                == .revokeSuperseded([old], by: new))
    }

    @Test func theTokenKeyVaultReplacedIsSupersededWhateverItsDates() {
        // The old token claims to start tomorrow; Key Vault's version replaced it.
        let odd = token("odd", ageHours: -24)
        let new = token("new", ageHours: 30)
        #expect(
            decide(observe([odd, new], held: "new", replaces: "odd"), policy(.createOnly))
                == .converged(.pending(new, older: 1)))
        #expect(
            decide(observe([odd, new], held: "new", storedHoursAgo: 30, replaces: "odd"), policy(.revokeOld))
                == .revokeSuperseded([odd], by: new))
    }

    @Test func noRecordJudgesTheNewestAndRefusesToGuess() {
        let only = token("only", ageHours: 600, daysLeft: 3)
        #expect(decide(observe([only], held: nil), policy(.rotate)) == .create(replacing: only))
        let fine = token("fine", ageHours: 1)
        #expect(decide(observe([fine], held: nil), policy(.rotate)) == .converged(.notRecorded(fine)))
        #expect(decide(observe([fine], held: nil), policy(.revokeOld)) == .converged(.notStored(fine)))
        guard case .fail(let failure) = decide(observe([only, fine], held: nil), policy(.rotate)) else {
            Issue.record("several tokens, no record, an older one due: the run must fail naming them")
            return
        }
        #expect(failure.isTerminal)
    }

    @Test func aFirstRotationKilledBeforeTheStoreIsFinishedByTheNextRun() {
        // Issue 26, case 6: Key Vault holds nothing yet; the run recorded its intent and was killed.
        let original = token("original", ageHours: 600, daysLeft: 3)
        let lost = token("lost", ageHours: 0.1)
        let intents = [intent(openedHoursAgo: 0.2)]
        #expect(
            decide(observe([original, lost], held: nil, intents: intents), policy(.rotate)) == .revokeOrphans([lost]))
        #expect(
            decide(observe([original], held: nil, intents: intents), policy(.rotate)) == .create(replacing: original))
    }

    @Test func aTokenCreatedThisRunIsNeverDueAgain() {
        let new = token("new", ageHours: 0)
        #expect(
            decide(observe([new], held: "new"), policy(.rotate, renew: 0, created: ["new"]))
                == .converged(.upToDate(new)))
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

    @Test func anEmptyFamilyFailsInWords() {
        guard case .fail(let failure) = decide(observe([], held: "gone"), policy(.rotate)) else {
            Issue.record("a family without a live token cannot be decided")
            return
        }
        #expect("\(failure)".contains("no live token"))
    }
}
