import Foundation
import Synchronization
import Testing

@testable import RotateCredentialCore

/// Long waits say what they wait for and for how long at most, and are never silent for more than
/// 10 s (issue #25), on a fake clock.
@Suite struct WaitProgressTests {
    /// Output lines with the (fake) time each was written at.
    final class TimedSink: OutputSink {
        let clock: FakeClock
        private let storage = Mutex<[(Date, String)]>([])
        init(clock: FakeClock) { self.clock = clock }
        func writeLine(_ line: String) { storage.withLock { $0.append((clock.now(), line)) } }
        var lines: [(at: Date, text: String)] { storage.withLock { $0.map { (at: $0.0, text: $0.1) } } }

        /// The longest time between two lines, from `start` to `end`.
        func longestSilence(from start: Date, to end: Date) -> Double {
            let times = [start] + lines.map(\.at) + [end]
            return zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? 0
        }
    }

    @Test func aFifteenMinuteWaitPrintsProgressAtLeastEveryTenSeconds() async throws {
        let clock = FakeClock()
        let sink = TimedSink(clock: clock)
        let start = clock.now()
        var wait = WaitProgress(
            clock: clock, output: PipelineOutput(sink: sink, debugEnabled: false), waitingFor: "the sign-in",
            atMostSeconds: 900)
        // Pauses of uneven length, as a poll loop with slow_down answers makes them.
        for pause in [5.0, 5, 10, 15, 20, 25, 40] + Array(repeating: 30, count: 26) {
            try await wait.pause(pause)
        }
        #expect(wait.elapsed == 900)
        #expect(sink.lines.first?.text == "Waiting for the sign-in (at most 15 min).")
        #expect(sink.lines.first?.at == start)
        #expect(sink.lines.last?.text == "Still waiting for the sign-in: 15 min so far, at most 15 min.")
        #expect(sink.longestSilence(from: start, to: clock.now()) <= WaitProgress.interval)
        #expect(sink.lines.count == 91)
    }

    @Test func theDeviceCodeWaitReportsItselfForFifteenMinutes() async throws {
        let clock = FakeClock()
        let sink = TimedSink(clock: clock)
        let start = clock.now()
        let context = try PatOwnerSignInTests().context(
            PatOwnerSignInTests.polling(["authorization_pending"]), clock: clock, sink: CapturingSink())
        let reporting = ActionContext(
            configuration: context.configuration, output: PipelineOutput(sink: sink, debugEnabled: false),
            clock: clock, services: context.services, files: context.files, cancellation: context.cancellation)
        let entra = EntraUserTokenClient(http: context.services.http, urls: context.services.urls)
        await #expect(throws: PatOwnerSessionFailure.signInExpired(minutes: 15)) {
            try await DeviceCodeSignIn(
                entra: entra, tenant: PatOwnerSignInTests.tenant, client: PatOwnerSignInTests.client,
                context: reporting
            ).run()
        }
        #expect(clock.now().timeIntervalSince(start) > 900)
        #expect(sink.longestSilence(from: start, to: clock.now()) <= WaitProgress.interval)
        #expect(sink.lines.contains { $0.text.contains("Waiting for the PAT owner to sign in with the code ABCD2345") })
        #expect(sink.lines.contains { $0.text.contains("at most 15 min") })
    }

    @Test func aShortWaitSaysNothingAndDurationsRead() async throws {
        let clock = FakeClock()
        let sink = CapturingSink()
        var wait = WaitProgress(
            clock: clock, output: PipelineOutput(sink: sink, debugEnabled: false), waitingFor: "x", atMostSeconds: 10)
        try await wait.pause(4)
        try await wait.pause(4)
        #expect(sink.lines.isEmpty)
        #expect(clock.sleeps == [4, 4])
        #expect(WaitProgress.duration(45) == "45 s")
        #expect(WaitProgress.duration(119.6) == "2 min")
        #expect(WaitProgress.duration(150) == "2 min 30 s")
    }
}
