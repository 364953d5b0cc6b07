import Testing

@testable import RotateCredentialCore

@Suite struct NamePatternTests {
    @Test(arguments: [
        ("ci-*", "ci-feed-reader", true), ("ci-*", "nightly", false), ("*", "anything", true),
        ("*-reader", "CI-FEED-READER", true), ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false),
        ("exact", "exact", true), ("exact", "exactly", false),
    ])
    func matches(pattern: String, name: String, expected: Bool) {
        #expect(NamePattern(pattern).matches(name) == expected)
    }

    @Test func noPatternSelectsNothing() {
        #expect(![NamePattern]().matchesAny("anything"))
    }
}
