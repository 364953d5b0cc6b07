import Foundation
import Testing

@testable import RotateCredentialCore

struct AppSecretPasswordRetentionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func password(_ id: String, startedHoursAgo: Double?, endsInDays: Double = 100) -> PasswordCredential {
        PasswordCredential(
            keyId: id, displayName: id, startDateTime: startedHoursAgo.map { now.addingTimeInterval(-$0 * 3600) },
            endDateTime: now.addingTimeInterval(endsInDays * 86400))
    }

    @Test func keepsTheNewestAndRemovesOlderOnesWhoseReplacementIsPastGrace() {
        let passwords = [password("old", startedHoursAgo: 4000), password("prev", startedHoursAgo: 2000), password("new", startedHoursAgo: 0)]
        let removals = PasswordRetention(keepSecrets: 2, graceHours: 24).removals(from: passwords, now: now, protected: [])
        #expect(removals.map(\.keyId) == ["old"])
    }

    @Test func graceCountsFromTheReplacementsStart() {
        let passwords = [password("prev", startedHoursAgo: 2000), password("new", startedHoursAgo: 1)]
        let rule = PasswordRetention(keepSecrets: 1, graceHours: 24)
        #expect(rule.removals(from: passwords, now: now, protected: []).isEmpty)
        #expect(rule.removals(from: passwords, now: now.addingTimeInterval(24 * 3600), protected: []).map(\.keyId) == ["prev"])
    }

    @Test func neverRemovesProtectedOrTheNewest() {
        let passwords = [password("a", startedHoursAgo: 5000), password("b", startedHoursAgo: 4000), password("c", startedHoursAgo: 3000)]
        let removals = PasswordRetention(keepSecrets: 1, graceHours: 0).removals(from: passwords, now: now, protected: ["A"])
        #expect(removals.map(\.keyId) == ["b"])
        #expect(PasswordRetention(keepSecrets: 0, graceHours: 0).removals(from: passwords, now: now, protected: []).map(\.keyId) == ["a", "b"])
    }

    @Test func secretsWithoutDatesCountAsOldest() {
        let passwords = [password("undated", startedHoursAgo: nil), password("new", startedHoursAgo: 48)]
        #expect(PasswordRetention.newestFirst(passwords).map(\.keyId) == ["new", "undated"])
        #expect(PasswordRetention(keepSecrets: 1, graceHours: 24).removals(from: passwords, now: now, protected: []).map(\.keyId) == ["undated"])
    }

    @Test func rotationIsDueWhenTheNewestSecretExpiresWithinTheWindow() {
        let soon = [password("long-old", startedHoursAgo: 4000, endsInDays: 200), password("newest", startedHoursAgo: 100, endsInDays: 5)]
        #expect(PasswordRetention.isRotationDue(soon, renewWithinDays: 7, now: now))
        let fresh = [password("newest", startedHoursAgo: 1, endsInDays: 30)]
        #expect(!PasswordRetention.isRotationDue(fresh, renewWithinDays: 7, now: now))
        #expect(PasswordRetention.isRotationDue(fresh, renewWithinDays: 0, now: now))
        #expect(PasswordRetention.isRotationDue([], renewWithinDays: 7, now: now))
    }
}
