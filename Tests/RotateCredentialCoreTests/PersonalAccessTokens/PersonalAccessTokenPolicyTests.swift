import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct PersonalAccessTokenPolicyTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func token(_ id: String, _ name: String, ageHours: Double, daysLeft: Double = 30, global: Bool = false)
        -> PersonalAccessToken
    {
        PersonalAccessToken(
            authorizationId: id, displayName: name, scope: "vso.code", targetAccounts: global ? nil : ["org"],
            validFrom: now.addingTimeInterval(-ageHours * 3_600), validTo: now.addingTimeInterval(daysLeft * 86_400))
    }

    @Test func selectionUsesWildcardsAndNoPatternSelectsNothing() {
        let tokens = [token("1", "ci-feed-reader", ageHours: 1), token("2", "code-reader", ageHours: 1), token("3", "nightly", ageHours: 1)]
        #expect(PatSelection.select(tokens, patterns: [NamePattern("*-READER")]).map(\.authorizationId) == ["1", "2"])
        #expect(PatSelection.select(tokens, patterns: []).isEmpty)
    }

    @Test func familiesGroupByNameNewestFirst() {
        let families = PatSelection.families([
            token("old", "Nightly", ageHours: 100), token("new", "nightly", ageHours: 2), token("x", "alpha", ageHours: 5),
        ])
        #expect(families.map(\.displayName) == ["alpha", "nightly"])
        #expect(families[1].newest.authorizationId == "new")
        #expect(families[1].older.map(\.authorizationId) == ["old"])
    }

    @Test func expiryWindowAndDaysLeft() {
        let soon = token("1", "a", ageHours: 1, daysLeft: 3.5)
        #expect(soon.expires(withinDays: 7, at: now))
        #expect(!soon.expires(withinDays: 3, at: now))
        #expect(soon.expires(withinDays: 0, at: now))
        #expect(soon.daysLeft(at: now) == 3)
        #expect(token("2", "g", ageHours: 1, global: true).reach.contains("2026-12-01"))
    }

    @Test func tagsNameTheTokenAndTheOneItReplaces() {
        let tags = PatKeyVaultRecord.tags(for: token("new", "n", ageHours: 0), replacing: token("old", "n", ageHours: 9))
        #expect(tags == ["authorizationId": "new", "displayName": "n", "replaces": "old", "createdBy": "rotate-credential"])
    }

    @Test func secretNamesAreSanitised() {
        #expect(SecretStore.secretName(template: "pat-{displayName}", displayName: "CI feed/reader_1") == "pat-CI-feed-reader-1")
        #expect(SecretStore.secretName(template: "pat-{displayName}", displayName: "--ä ö--") == "pat")
        #expect(SecretStore.secretName(template: "{displayName}", displayName: String(repeating: "a", count: 300)).count == 127)
    }
}
