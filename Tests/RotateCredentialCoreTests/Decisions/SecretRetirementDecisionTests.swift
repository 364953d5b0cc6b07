import Foundation
import Testing

@testable import RotateCredentialCore

/// The decision table of `removeSecretAfterConversion`: the application's secrets, Key Vault's
/// version, the record, the grace period and the look through every project in; remove, look, or
/// keep (naming who may hold it) out. The holder rules are the rotations'.
@Suite struct SecretRetirementDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let policy = SecretRetirementPolicy(graceHours: 24)

    static func secret(_ id: String, startedHoursAgo: Double = 2_000) -> PasswordCredential {
        PasswordCredential(
            keyId: id, displayName: "rotate-credential",
            startDateTime: now.addingTimeInterval(-startedHoursAgo * 3_600),
            endDateTime: now.addingTimeInterval(100 * 86_400))
    }

    static let used = secret("used")
    static let other = secret("other")
    static let prod = FederatedConnection(id: "id-prod", name: "prod", converted: now.addingTimeInterval(-30 * 3_600))

    static func record(gave keyId: String? = nil, to connection: String = "prod", unmanaged: [String] = [])
        -> CredentialRecord
    {
        var record = CredentialRecord(scope: "application:a")
        if let keyId {
            record.record(
                ConnectionHolder(
                    id: "id-\(connection)", name: connection, project: "P", keyId: keyId,
                    written: now.addingTimeInterval(-3_000 * 3_600)))
        }
        record.recordUnmanaged(unmanaged)
        return record
    }

    static func observe(
        _ secrets: [PasswordCredential], connections: [FederatedConnection] = [prod], vault: VaultVersion? = nil,
        record: CredentialRecord? = nil, scan: BystanderScan? = nil, removed: [PasswordCredential] = []
    ) -> SecretRetirementObservation {
        SecretRetirementObservation(
            application: GraphApplication(id: "o", appId: "a", displayName: "payments", passwordCredentials: secrets),
            connections: connections, vault: vault, record: record, scan: scan, removed: removed)
    }

    static let nobody = BystanderScan(found: [], present: [])

    func decide(_ observation: SecretRetirementObservation) -> SecretRetirementDecision {
        SecretRetirementDecision.decide(observation, policy: Self.policy, now: Self.now)
    }

    /// The holders a `.converged(.kept)` decision names, joined.
    func kept(_ observation: SecretRetirementObservation) -> String {
        guard case .converged(.kept(_, let holders)) = decide(observation) else { return "not kept" }
        return holders.joined(separator: "; ")
    }

    @Test func theOnlySecretGoesOnceEveryProjectWasLookedThrough() {
        #expect(decide(Self.observe([Self.used])) == .findHolders(Self.used))
        #expect(decide(Self.observe([Self.used], scan: Self.nobody)) == .remove(Self.used))
        #expect(
            decide(Self.observe([], scan: Self.nobody, removed: [Self.used])) == .converged(.removed([Self.used])))
    }

    @Test func theRecordSaysWhichSecretTheConnectionsUsed() {
        let observation = Self.observe([Self.other, Self.used], record: Self.record(gave: "used"), scan: Self.nobody)
        #expect(decide(observation) == .remove(Self.used))
        // After the removal, in this run or the next, the other secret is never taken for the one
        // the connections used.
        let after = observation.applying([.removedSecret(Self.used)])
        #expect(decide(after) == .converged(.removed([Self.used])))
        var nextRun = after
        nextRun.removed = []
        #expect(
            decide(nextRun)
                == .converged(
                    .nothingToRemove("nothing to remove: the client secret the connections used (keyId used) is gone")))
    }

    @Test func keyVaultsVersionNamesTheSecretWhenTheRecordDoesNot() {
        let vault = VaultVersion(secretName: "payments", keyId: "used", connections: ["prod"])
        #expect(kept(Self.observe([Self.other, Self.used], vault: vault)).contains("Key Vault secret 'payments'"))
        let elsewhere = VaultVersion(secretName: "payments", keyId: "used", connections: ["qa"])
        guard
            case .converged(.nothingToRemove(let why)) = decide(
                Self.observe([Self.other, Self.used], vault: elsewhere))
        else {
            Issue.record("two secrets and no record: nothing is removed")
            return
        }
        #expect(why.contains("app-secret-revoke"))
    }

    @Test func theGracePeriodKeepsTheSecret() {
        let recent = FederatedConnection(id: "id-prod", name: "prod", converted: Self.now.addingTimeInterval(-3_600))
        #expect(kept(Self.observe([Self.used], connections: [recent])).contains("the grace period (until"))
        let unknown = FederatedConnection(id: "id-prod", name: "prod", converted: nil)
        #expect(kept(Self.observe([Self.used], connections: [unknown])).contains("cannot tell when"))
    }

    @Test func aSecretAPersonMadeStays() {
        #expect(kept(Self.observe([Self.used], record: Self.record(unmanaged: ["USED"]))).contains("person"))
    }

    @Test func aConnectionTheTaskDoesNotWriteKeepsWhatItMayHold() {
        let legacy = Bystander(id: "l", name: "legacy-arm", project: "Ops", firstSeen: Self.now)
        let scan = BystanderScan(found: [legacy], present: ["l"])
        #expect(kept(Self.observe([Self.used], scan: scan)).contains("'Ops/legacy-arm'"))
        // First seen before the secret started: it cannot hold it (unless a person copied it in).
        let young = Self.secret("used", startedHoursAgo: 1)
        let seenLongAgo = Bystander(
            id: "l", name: "legacy-arm", project: "Ops", firstSeen: Self.now.addingTimeInterval(-100 * 3_600))
        #expect(
            decide(Self.observe([young], scan: BystanderScan(found: [seenLongAgo], present: ["l"]))) == .remove(young))
    }

    @Test func aConnectionTheTaskGaveTheSecretKeepsItWhileItUsesASecret() {
        let record = Self.record(gave: "used", to: "qa")
        let stillSecret = BystanderScan(found: [], present: ["id-qa"])
        #expect(kept(Self.observe([Self.used], record: record, scan: stillSecret)).contains("'P/qa'"))
        #expect(decide(Self.observe([Self.used], record: record, scan: Self.nobody)) == .remove(Self.used))
    }

    @Test func aProjectThatCouldNotBeReadKeepsEverySecret() {
        let scan = BystanderScan(unreadable: ["the connections of project Ops could not be listed: permission"])
        #expect(kept(Self.observe([Self.used], scan: scan)).contains("project Ops"))
    }

    @Test func nothingToRemoveWithoutASecret() {
        #expect(
            decide(Self.observe([]))
                == .converged(.nothingToRemove("nothing to remove: the application has no client secret")))
    }
}
