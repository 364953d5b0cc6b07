import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct RetryingTransportTests {
    let url = URL(string: "https://example.com/x")!

    func send(_ method: HTTPMethod, _ transport: FakeTransport, clock: FakeClock = FakeClock()) async -> Result<
        HTTPResponse, TransportError
    > {
        let retrying = RetryingTransport(transport, clock: clock, log: { _ in })
        do {
            return .success(try await retrying.send(HTTPRequest(method, url, service: .graph, operation: "op")))
        } catch {
            return .failure(error)
        }
    }

    @Test func waitsAsLongAsRetryAfterSaysOn429() async throws {
        let clock = FakeClock()
        let transport = FakeTransport { _, index in
            index == 0 ? FakeTransport.json(429, "{}", headers: ["Retry-After": "7"]) : FakeTransport.json(200, "{}")
        }
        let response = try await send(.post, transport, clock: clock).get()
        #expect(response.status == 200)
        #expect(clock.sleeps == [7])
    }

    @Test func acceptsAnHTTPDateInRetryAfter() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        let header = formatter.string(from: now.addingTimeInterval(12))
        let response = HTTPResponse(status: 429, headers: ["Retry-After": header])
        #expect(RetryPolicy.requestedDelay(response, now: now) == 12)
    }

    @Test func honoursRateLimitResetWhenTheBudgetIsSpent() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let response = HTTPResponse(
            status: 429, headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1800000005"])
        #expect(RetryPolicy.requestedDelay(response, now: now) == 5)
    }

    @Test func retriesIdempotentRequestsOnServerFailure() async throws {
        let transport = FakeTransport { _, index in
            index < 2 ? FakeTransport.json(500, "{}") : FakeTransport.json(200, "{}")
        }
        #expect(try await send(.get, transport).get().status == 200)
        #expect(transport.requests.count == 3)
    }

    @Test func neverRepeatsACreateAfterAnUncertainFailure() async throws {
        let transport = FakeTransport { _, _ in FakeTransport.json(500, "{}") }
        #expect(try await send(.post, transport).get().status == 500)
        #expect(transport.requests.count == 1)
        let timeouts = FakeTransport { _, _ in .failure(TransportError(.timedOut, "slow")) }
        _ = await send(.post, timeouts)
        #expect(timeouts.requests.count == 1)
    }

    @Test func retriesACreateThatWasRefusedWith503() async throws {
        let transport = FakeTransport { _, index in
            index == 0 ? FakeTransport.json(503, "{}") : FakeTransport.json(200, "{}")
        }
        #expect(try await send(.post, transport).get().status == 200)
    }

    @Test func givesUpAfterTheLastAttempt() async throws {
        let transport = FakeTransport { _, _ in FakeTransport.json(503, "{}") }
        #expect(try await send(.get, transport).get().status == 503)
        #expect(transport.requests.count == RetryPolicy.standard.maxAttempts)
    }

    @Test func makesNoFurtherAttemptOnceCancelled() async throws {
        // The first answer arrives after the caller gave up on it.
        let transport = FakeTransport { _, _ in
            withUnsafeCurrentTask { $0?.cancel() }
            return FakeTransport.json(503, "{}")
        }
        #expect(try await send(.get, transport).get().status == 503)
        #expect(transport.requests.count == 1)
    }
}
