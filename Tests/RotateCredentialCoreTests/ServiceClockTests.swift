import Foundation
import Testing

@testable import RotateCredentialCore

/// The services' clock from the `Date` header (issue #10: decisions hold with the agent's clock off).
@Suite struct ServiceClockTests {
    @Test func parsesTheIMFFixdateEveryServiceSends() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.parse("Tue, 29 Feb 2028 00:00:00 GMT") == Date(timeIntervalSince1970: 1_835_395_200))
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("garbage") == nil)
    }

    @Test func anAgentFifteenMinutesAheadDecidesOnTheServicesTime() {
        let agent = FakeClock(now: Date(timeIntervalSince1970: 784_111_777 + 900))
        let clock = ServiceClock(local: agent)
        #expect(clock.now() == agent.now(), "the agent's time until a service answered")
        clock.record(dateHeader: "Sun, 06 Nov 1994 08:49:37 GMT", receivedAt: agent.now())
        #expect(abs(clock.now().timeIntervalSince1970 - 784_111_777) <= 1)
        clock.record(dateHeader: nil, receivedAt: agent.now())
        #expect(abs((clock.skew ?? 0) + 900) <= 1, "an answer without the header changes nothing")
    }
}
