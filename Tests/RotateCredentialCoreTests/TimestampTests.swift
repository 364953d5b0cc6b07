import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct TimestampTests {
    @Test func parsesSevenFractionalDigits() throws {
        let date = try #require(Timestamp.parse("2020-11-02T22:56:52.1033333Z"))
        #expect(abs(date.timeIntervalSince1970 - 1_604_357_812.1033333) < 0.0001)
    }

    @Test func parsesWithoutFractionAndWithOffset() {
        #expect(Timestamp.parse("2020-11-02T22:56:52Z") != nil)
        #expect(Timestamp.parse("2020-11-02T22:56:52+00:00") != nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }

    @Test func formatsMilliseconds() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}
