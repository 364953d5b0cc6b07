import Dispatch
import RotateCredentialCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes each line straight to file descriptor 1 (no buffer), so the agent sees commands in order.
/// A write that fails (the agent stopped reading: EPIPE, with SIGPIPE ignored) is dropped, so the
/// run goes on to undo what must not linger and to write its report.
///
/// Under the Node handler (`run.js`), `ROTATE_CREDENTIAL_STATUS_FD` names a pipe to it: the
/// result of `task.complete` goes there too, so the handler knows the step's outcome was reported
/// and exits 0 (the agent would add a second error for a non-zero exit of the handler).
struct StandardOutputSink: OutputSink {
    /// The handler's status pipe, if any.
    var status: Int32?

    init(environment: [String: String]) {
        status = environment["ROTATE_CREDENTIAL_STATUS_FD"].flatMap { Int32($0) }.flatMap { $0 > 2 ? $0 : nil }
    }

    func writeLine(_ line: String) {
        Self.put(line + "\n", to: 1)
    }

    func completed(_ result: String) {
        if let status { Self.put("task.complete \(result)\n", to: status) }
    }

    private static func put(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}

/// The real clock. Every wait (retry backoff, Retry-After, replication and reconcile pauses) is
/// multiplied by `sleepScale`; the time itself is never changed.
struct SystemClock: WallClock {
    var sleepScale = 1.0

    /// For the end-to-end tests only: `ROTATE_CREDENTIAL_TEST_SLEEP_SCALE` (from 0.01 to 1)
    /// shortens the waits, so a test of a retry takes a fraction of the real pause.
    init(environment: [String: String]) {
        if let scale = environment["ROTATE_CREDENTIAL_TEST_SLEEP_SCALE"].flatMap(Double.init), scale.isFinite {
            sleepScale = min(1, max(0.01, scale))
        }
    }

    func now() -> Date { Date() }
    func sleep(seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds * sleepScale) * 1_000_000_000))
    }
}

/// SIGINT and SIGTERM (the agent cancels a step that way; the Node handler forwards both) as stop
/// requests: the default action (dying at once) is replaced by a flag the run checks between steps.
struct ProcessSignals: SignalSource {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    func start(_ onSignal: @escaping @Sendable (String) -> Void) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { onSignal(name) }
            source.resume()
            Self.sources.append(source)
        }
    }
}

#if os(Linux)
    // A short-lived process with a few busy threads: two malloc arenas instead of eight per core
    // keep the peak memory flat as the number of credentials grows. glibc's mallopt is declared
    // in malloc.h, which the Glibc module does not import; M_ARENA_MAX is -8.
    @_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
    _ = mallopt(-8, 2)
#endif

// Output to an agent that stopped reading fails with EPIPE instead of killing the process before
// it has undone what must not linger and written its report.
signal(SIGPIPE, SIG_IGN)
let environment = ProcessInfo.processInfo.environment
let transports = Transports()
let runner = TaskRunner(
    environment: environment, sink: StandardOutputSink(environment: environment),
    clock: SystemClock(environment: environment),
    files: LocalFileWriter(),
    signals: ProcessSignals(),
    makeTransport: { settings in transports.make(settings) })
let code = await runner.run(arguments: Array(CommandLine.arguments.dropFirst()))
// Every transfer ends and the transport's thread stops before the process does.
transports.stopAll()
exit(code)
