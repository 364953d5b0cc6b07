import Foundation
import Testing

@testable import RotateCredentialCore

/// Decision tables for the app-secret actions: an observation (secrets, Key Vault's version, the
/// task's record, the connections found) in, the one next decision out.
@Suite struct AppSecretDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let marker = "rotate-credential 2027-01-15"

    func password(_ id: String, startedHoursAgo: Double, endsInDays: Double, ours: Bool = false) -> PasswordCredential {
        PasswordCredential(
            keyId: id, displayName: ours ? Self.marker : "by hand",
            startDateTime: now.addingTimeInterval(-startedHoursAgo * 3_600),
            endDateTime: now.addingTimeInterval(endsInDays * 86_400))
    }

    func connection(_ name: String) -> ConnectionRef { ConnectionRef(id: "id-\(name)", name: name, project: "P") }

    /// The record: connections given keyIds, and an intent over the marker opened `intentHoursAgo`.
    func record(holders: [String: String] = [:], intentHoursAgo: Double? = nil) -> CredentialRecord {
        var record = CredentialRecord(scope: "application:a")
        for (name, keyId) in holders {
            record.record(
                ConnectionHolder(id: "id-\(name)", name: name, project: "P", keyId: keyId, written: now))
        }
        if let hours = intentHoursAgo {
            let opened = now.addingTimeInterval(-hours * 3_600)
            record.intents = [
                Intent(
                    id: "i", run: "r", opened: opened, closes: opened.addingTimeInterval(1_800), names: [Self.marker])
            ]
        }
        return record
    }

    func observe(
        _ passwords: [PasswordCredential], held: String?, connections: [String] = [],
        record: CredentialRecord? = nil, vault: Bool = true, bystanders: BystanderScan? = nil
    ) -> AppSecretObservation {
        AppSecretObservation(
            objectId: "o", appId: "a", label: "'app'", passwords: passwords,
            stored: held.map { .init(keyId: $0, versionId: "v", stored: now.addingTimeInterval(-3_600)) },
            hasVault: vault, connections: connections.map(connection),
            record: record ?? self.record(), bystanders: bystanders)
    }

    func policy(_ mode: AppSecretPolicy.Mode = .rotate, created: Set<String> = []) -> AppSecretPolicy {
        AppSecretPolicy(
            mode: mode, renewWithinDays: 7, retention: PasswordRetention(keepSecrets: 2, graceHours: 24),
            displayName: Self.marker, createdThisRun: created)
    }

    func decide(_ observation: AppSecretObservation, _ policy: AppSecretPolicy) -> AppSecretDecision {
        AppSecretDecision.decide(observation, policy: policy, now: now)
    }

    @Test func heldSecretDueIsReplaced() {
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        #expect(decide(observe([old], held: "old"), policy()) == .create)
        #expect(decide(observe([old], held: "old"), policy(.revokeOnly)) == .converged(.upToDate(old, keptBack: [])))
    }

    @Test func orphanInsideARecordedIntentIsRemovedBeforeAnythingElse() {
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        let lost = password("lost", startedHoursAgo: 0.1, endsInDays: 700, ours: true)
        #expect(
            decide(observe([old, lost], held: "old", record: record(intentHoursAgo: 0.2)), policy())
                == .removeOrphans([lost]))
        // The same display name without a recorded intent is a person's: never removed.
        #expect(decide(observe([old, lost], held: "old"), policy()) == .create)
    }

    @Test func orphanListedOnlyAfterThisRunsReplacementIsStillAnOrphan() {
        // An interrupted run added 'lost'; Graph's lag hid it until this run had stored 'new'.
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        let lost = password("lost", startedHoursAgo: 0.02, endsInDays: 700, ours: true)
        let new = password("new", startedHoursAgo: 0.01, endsInDays: 700, ours: true)
        var begun = policy(created: ["new"])
        let observation = observe(
            [old, lost, new], held: "new", connections: ["prod"],
            record: record(holders: ["prod": "new"], intentHoursAgo: 0.03))
        // Even before this run's start is known, 'lost' shares the open intent with the held 'new'.
        #expect(decide(observation, begun) == .removeOrphans([lost]))
        begun.heldWhenRunBegan = old.startDateTime
        #expect(decide(observation, begun) == .removeOrphans([lost]))
    }

    @Test func theSecretKeyVaultsVersionReplacedIsNeverAnOrphan() {
        // A run added 'previous' and stored it; a run in the same window replaced it with 'new'.
        let previous = password("previous", startedHoursAgo: 0.02, endsInDays: 700, ours: true)
        let new = password("new", startedHoursAgo: 0.01, endsInDays: 700, ours: true)
        var observation = observe([previous, new], held: "new", record: record(intentHoursAgo: 0.03))
        observation.stored?.replaces = "previous"
        #expect(decide(observation, policy()) == .converged(.upToDate(new, keptBack: [])))
    }

    @Test func connectionsBehindTheRecordGetTheCurrentValueTogether() {
        let new = password("new", startedHoursAgo: 1, endsInDays: 700, ours: true)
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        let observation = observe(
            [old, new], held: "new", connections: ["test", "prod", "qa"],
            record: record(holders: ["test": "new", "prod": "old"]))
        #expect(decide(observation, policy()) == .updateConnections([connection("prod"), connection("qa")]))
    }

    @Test func beforeAnyRemovalEveryProjectIsLookedThrough() {
        let new = password("new", startedHoursAgo: 30, endsInDays: 700, ours: true)
        let mid = password("mid", startedHoursAgo: 2000, endsInDays: 5)
        let old = password("old", startedHoursAgo: 4000, endsInDays: 100)
        let holders = record(holders: ["prod": "new"])
        #expect(
            decide(observe([old, mid, new], held: "new", connections: ["prod"], record: holders), policy())
                == .findBystanders)
        let nobody = BystanderScan(found: [], present: ["id-prod"])
        #expect(
            decide(
                observe([old, mid, new], held: "new", connections: ["prod"], record: holders, bystanders: nobody),
                policy())
                == .removeOld([old]))
        #expect(
            decide(observe([old, mid, new], held: "new", connections: ["prod"], record: holders), policy(.createOnly))
                == .converged(.upToDate(new, keptBack: [])))
    }

    @Test func aConnectionTheTaskDoesNotWriteKeepsWhatItMayHold() {
        // Issue 26, case 2: 'legacy-arm' may hold any secret older than the task's first sight of it.
        let new = password("new", startedHoursAgo: 30, endsInDays: 700, ours: true)
        let mid = password("mid", startedHoursAgo: 2000, endsInDays: 5)
        let old = password("old", startedHoursAgo: 4000, endsInDays: 100)
        let legacy = Bystander(id: "l", name: "legacy-arm", project: "P", firstSeen: now.addingTimeInterval(-3_600))
        let scan = BystanderScan(found: [legacy], present: ["l"])
        guard
            case .converged(.upToDate(_, let kept)) = decide(
                observe([old, mid, new], held: "new", bystanders: scan), policy())
        else {
            Issue.record("the old secret must stay while legacy-arm exists")
            return
        }
        #expect(kept.map(\.password) == [old])
        #expect(kept.first?.reason.contains("'P/legacy-arm'") == true)
        // A project that could not be read may hold any secret.
        let unreadable = BystanderScan(unreadable: ["project 'Other' (permission)"])
        guard case .converged = decide(observe([old, mid, new], held: "new", bystanders: unreadable), policy()) else {
            Issue.record("nothing is removed while a project could not be read")
            return
        }
    }

    @Test func whatARecordedConnectionHoldsStaysThroughRevoke() {
        // Issue 26, case 3: app-secret-create stored 'new'; the write into 'prod' was refused.
        let new = password("new", startedHoursAgo: 30, endsInDays: 700, ours: true)
        let mid = password("mid", startedHoursAgo: 2000, endsInDays: 5)
        let old = password("old", startedHoursAgo: 4000, endsInDays: 100)
        let holders = record(holders: ["prod": "old"])
        let scan = BystanderScan(found: [], present: ["id-prod"])
        guard
            case .converged(.upToDate(_, let kept)) = decide(
                observe([old, mid, new], held: "new", record: holders, bystanders: scan), policy(.revokeOnly))
        else {
            Issue.record("the secret a connection behind holds must stay")
            return
        }
        #expect(kept.map(\.password) == [old])
        // Once that connection is gone (converted, deleted), its record protects nothing.
        #expect(
            decide(
                observe([old, mid, new], held: "new", record: holders, bystanders: BystanderScan()), policy(.revokeOnly)
            )
                == .removeOld([old]))
    }

    @Test func aSecretAPersonMadeIsNeverRemoved() {
        let held = password("held", startedHoursAgo: 100, endsInDays: 300, ours: true)
        let person = password("person", startedHoursAgo: 50, endsInDays: 300)
        var people = record()
        people.unmanaged = ["old"]
        let old = password("old", startedHoursAgo: 4000, endsInDays: 100)
        let observation = observe([old, held, person], held: "held", record: people, bystanders: BystanderScan())
        #expect(
            decide(observation, policy())
                == .converged(.upToDate(held, keptBack: [KeptSecret(password: old, reason: "a person made it")])))
    }

    @Test func convergedWhenEveryConsumerHoldsALiveSecret() {
        let new = password("new", startedHoursAgo: 1, endsInDays: 700, ours: true)
        #expect(
            decide(
                observe([new], held: "new", connections: ["prod"], record: record(holders: ["prod": "new"])), policy())
                == .converged(.upToDate(new, keptBack: [])))
    }

    @Test func aSecretCreatedThisRunIsNeverDueAgain() {
        let new = password("new", startedHoursAgo: 0, endsInDays: 3, ours: true)
        #expect(
            decide(observe([new], held: "new"), policy(created: ["new"])) == .converged(.upToDate(new, keptBack: [])))
    }

    @Test func aRecordNamingASecretThatIsGoneAsksForANewOne() {
        let other = password("other", startedHoursAgo: 2000, endsInDays: 300)
        #expect(decide(observe([other], held: "gone"), policy()) == .create)
    }

    @Test func withoutAVaultTheNewestDecides() {
        let old = password("old", startedHoursAgo: 2000, endsInDays: 5)
        #expect(decide(observe([old], held: nil, connections: ["prod"], vault: false), policy()) == .create)
        let fresh = password("fresh", startedHoursAgo: 0.1, endsInDays: 700)
        #expect(
            decide(observe([old, fresh], held: nil, connections: ["prod"], vault: false), policy(.createOnly))
                == .converged(.upToDate(fresh, keptBack: [])))
    }

    @Test func aFirstRotationKilledBeforeTheStoreIsFinishedByTheNextRun() {
        // Issue 26, case 6: Key Vault holds nothing yet; the run recorded its intent and was killed.
        let original = password("original", startedHoursAgo: 2000, endsInDays: 5)
        let lost = password("lost", startedHoursAgo: 0.1, endsInDays: 700, ours: true)
        let intents = record(intentHoursAgo: 0.2)
        #expect(decide(observe([original, lost], held: nil, record: intents), policy()) == .removeOrphans([lost]))
        #expect(decide(observe([original], held: nil, record: intents), policy()) == .create)
    }
}
