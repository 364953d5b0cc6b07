import Foundation
import Synchronization
import Testing

@testable import RotateCredentialCore

/// A transport whose answer takes `seconds` of real time (nil: never comes); cancelling the
/// calling task aborts it, as the libcurl loop does.
final class SlowTransport: HTTPTransport {
    private let seconds: Double?
    private let recorded = Mutex<[String]>([])
    init(answersAfter seconds: Double?) { self.seconds = seconds }
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        recorded.withLock { $0.append("\(request.method.rawValue) \(request.url.path)") }
        do {
            try await Task.sleep(for: .seconds(seconds ?? 3600))
        } catch {
            throw TransportError(.other, "aborted")
        }
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data("{}".utf8))
    }
    var requests: [String] { recorded.withLock { $0 } }
}

/// A clock whose waits take real time.
struct RealClock: WallClock {
    func now() -> Date { Date() }
    func sleep(seconds: Double) async throws { try await Task.sleep(for: .seconds(seconds)) }
}

@Suite struct StopBudgetTests {
    @Test func theAgentsDefaultsLeaveRoomForTheReportAndTheExit() {
        let budget = StopBudget()
        #expect(budget.writeEnd(of: "SIGINT") == 3)
        #expect(budget.undoEnd(of: "SIGINT") == 6)
        #expect(budget.writeEnd(of: "SIGTERM") == 1)
        #expect(budget.undoEnd(of: "SIGTERM") == 1.75)
    }

    @Test func theAgentsKnobsInMillisecondsLengthenTheWindows() {
        let budget = StopBudget(environment: ["PROCESS_SIGINT_TIMEOUT": "30000", "PROCESS_SIGTERM_TIMEOUT": " 5000 "])
        #expect(budget == StopBudget(interrupt: 30, terminate: 5))
        #expect(budget.undoEnd(of: "SIGINT") == 24)
        for value in ["", "-1", "0", "7.5s", "soon"] {
            #expect(StopBudget(environment: ["PROCESS_SIGINT_TIMEOUT": value]) == StopBudget())
        }
        #expect(StopBudget(interrupt: 0.5).undoEnd(of: "SIGINT") == 0)
    }
}

@Suite struct CancellationTests {
    @Test func aLaterSigtermOnlyBringsTheDeadlinesForward() throws {
        let cancellation = Cancellation()
        cancellation.cancel("SIGINT")
        let first = try #require(cancellation.deadlines)
        cancellation.cancel("SIGTERM")
        let second = try #require(cancellation.deadlines)
        #expect(second.signal == "SIGINT")
        #expect(second.undo <= first.undo)
        #expect(first.received.duration(to: second.undo) < .seconds(2))
        cancellation.cancel("SIGINT")
        #expect(cancellation.deadlines?.undo == second.undo)
    }

    @Test func waitingEndsAtTheStopRequestOrAtOnceAfterIt() async {
        let cancellation = Cancellation()
        async let stopped: Void = cancellation.waitUntilStopped()
        try? await Task.sleep(for: .milliseconds(20))
        cancellation.cancel("SIGINT")
        await stopped
        await cancellation.waitUntilStopped()
    }

    @Test func aCancelledWaitEndsWithoutAStop() async {
        let cancellation = Cancellation()
        let wait = Task { await cancellation.waitFor(.stop) }
        wait.cancel()
        #expect(await wait.value == false)
        #expect(cancellation.requested == nil)
    }
}

@Suite struct StoppableTransportTests {
    let url = URL(string: "https://example.com/x")!

    func send(_ transport: StoppableTransport, _ method: HTTPMethod, isIdempotent: Bool? = nil) async -> Result<
        HTTPResponse, TransportError
    > {
        do throws(TransportError) {
            return .success(
                try await transport.send(
                    HTTPRequest(method, url, service: .graph, operation: "op", isIdempotent: isIdempotent)))
        } catch {
            return .failure(error)
        }
    }

    /// Sends with a stop request `after` seconds; the result and the seconds from the stop to the end.
    func stopped(
        _ method: HTTPMethod, answersAfter: Double?, after: Double = 0.05, budget: StopBudget = StopBudget(),
        signal: String = "SIGINT"
    ) async -> (Result<HTTPResponse, TransportError>, Double) {
        let cancellation = Cancellation(budget: budget)
        let transport = StoppableTransport(SlowTransport(answersAfter: answersAfter), cancellation: cancellation)
        async let result = send(transport, method)
        try? await Task.sleep(for: .seconds(after))
        let stop = ContinuousClock.now
        cancellation.cancel(signal)
        let outcome = await result
        return (outcome, stop.duration(to: .now).seconds)
    }

    @Test func nothingIsSentAfterAStopRequest() async {
        let cancellation = Cancellation()
        let base = SlowTransport(answersAfter: 0)
        cancellation.cancel("SIGTERM")
        let result = await send(StoppableTransport(base, cancellation: cancellation), .get)
        #expect(base.requests.isEmpty)
        guard case .failure(let error) = result else {
            Issue.record("sent after the stop")
            return
        }
        #expect(error.reason == .stopped(mayHaveLanded: false))
        #expect(error.detail == "not sent: the run is stopping (SIGTERM)")
    }

    @Test func aReadInFlightIsAbandonedAtOnce() async {
        let (result, seconds) = await stopped(.get, answersAfter: nil)
        guard case .failure(let error) = result else {
            Issue.record("answered")
            return
        }
        #expect(error.reason == .stopped(mayHaveLanded: false))
        #expect(seconds < 2, "abandoned after \(seconds) s")
    }

    @Test func aWriteInFlightGetsItsShareOfTheWindowThenMayStillLand() async {
        let budget = StopBudget(interrupt: 1, terminate: 0.5)
        let (result, seconds) = await stopped(.post, answersAfter: nil, budget: budget)
        guard case .failure(let error) = result else {
            Issue.record("answered")
            return
        }
        #expect(error.reason == .stopped(mayHaveLanded: true))
        #expect(error.detail.hasSuffix("so it was abandoned: it may still land"))
        #expect(error.advice == "The next run removes it.")
        #expect(seconds >= 0.35 && seconds < 3, "abandoned after \(seconds) s")
    }

    @Test func aWriteThatAnswersWithinItsShareIsKept() async {
        let (result, _) = await stopped(.put, answersAfter: 0.3)
        #expect((try? result.get())?.status == 200)
    }

    @Test func aSigtermGivesAWriteLessTime() async {
        let budget = StopBudget(interrupt: 10, terminate: 0.5)
        let (result, seconds) = await stopped(.post, answersAfter: nil, budget: budget, signal: "SIGTERM")
        #expect((try? result.get()) == nil)
        #expect(seconds < 2, "abandoned after \(seconds) s (a write gets 4 s after SIGINT)")
    }

    @Test func undoCallsGoOutUntilTheUndoDeadline() async {
        let cancellation = Cancellation(budget: StopBudget(interrupt: 1.75, terminate: 0.5))
        let base = SlowTransport(answersAfter: 0)
        let transport = StoppableTransport(base, cancellation: cancellation)
        cancellation.cancel("SIGINT")
        let undo = await Cancellation.undoing { await send(transport, .delete) }
        #expect((try? undo.get())?.status == 200)
        #expect(base.requests == ["DELETE /x"])
        try? await Task.sleep(for: .seconds(1.1))
        let late = await Cancellation.undoing { await send(transport, .delete) }
        guard case .failure(let error) = late else {
            Issue.record("sent after the undo deadline")
            return
        }
        #expect(error.detail.contains("the time for undoing after SIGINT (1.0 s) ran out"))
        #expect(base.requests.count == 1)
    }

    @Test func aRetryIsNeitherWaitedForNorSentAfterAStopRequest() async {
        let cancellation = Cancellation()
        let base = FakeTransport { _, _ in FakeTransport.json(429, "{}", headers: ["Retry-After": "30"]) }
        let clock = StoppableClock(base: RealClock(), cancellation: cancellation)
        let retrying = RetryingTransport(StoppableTransport(base, cancellation: cancellation), clock: clock) { _ in }
        let started = ContinuousClock.now
        async let result: Result<HTTPResponse, TransportError> = {
            do throws(TransportError) {
                return .success(try await retrying.send(HTTPRequest(.post, url, service: .graph, operation: "op")))
            } catch {
                return .failure(error)
            }
        }()
        try? await Task.sleep(for: .milliseconds(100))
        cancellation.cancel("SIGINT")
        let outcome = await result
        #expect(started.duration(to: .now) < .seconds(10), "not the 30 s asked for")
        #expect(base.requests.count == 1)
        guard case .failure(let error) = outcome else {
            Issue.record("retried")
            return
        }
        #expect(error.reason == .stopped(mayHaveLanded: false))
        #expect(error.detail == "the attempt before answered 429; the retry was not sent: the run is stopping (SIGINT)")
    }
}

@Suite struct StoppableClockTests {
    @Test func aWaitEndsAtTheStopRequest() async {
        let cancellation = Cancellation()
        let clock = StoppableClock(base: RealClock(), cancellation: cancellation)
        let started = ContinuousClock.now
        let wait = Task { try await clock.sleep(seconds: 30) }
        try? await Task.sleep(for: .milliseconds(50))
        cancellation.cancel("SIGTERM")
        await #expect(throws: RunCancelled(signal: "SIGTERM")) { try await wait.value }
        #expect(started.duration(to: .now) < .seconds(10), "not the 30 s asked for")
        await #expect(throws: RunCancelled(signal: "SIGTERM")) { try await clock.sleep(seconds: 0) }
    }

    @Test func anUndoWaitsUntilTheUndoDeadlineAtMost() async {
        let cancellation = Cancellation(budget: StopBudget(interrupt: 1.05))
        let clock = StoppableClock(base: RealClock(), cancellation: cancellation)
        cancellation.cancel("SIGINT")
        try? await Cancellation.undoing { try await clock.sleep(seconds: 0.05) }
        let started = ContinuousClock.now
        await #expect(throws: RunCancelled(signal: "SIGINT")) {
            try await Cancellation.undoing { try await clock.sleep(seconds: 30) }
        }
        #expect(started.duration(to: .now) < .seconds(10), "not the 30 s asked for")
    }
}
