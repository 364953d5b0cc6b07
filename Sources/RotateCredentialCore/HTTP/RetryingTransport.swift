/// Wraps a transport with bounded retries: 429 and 503 always (the service did not process the
/// request), transient 5xx, timeouts and dropped connections only for idempotent requests.
/// It honours `Retry-After` and Azure DevOps' `X-RateLimit-*` headers, also on a success, where
/// the service asks the next request to wait.
struct RetryingTransport: HTTPTransport {
    private let base: any HTTPTransport
    private let policy: RetryPolicy
    private let clock: any WallClock
    private let log: @Sendable (String) -> Void

    /// Creates a retrying transport. `log` receives one line per retry (no secrets in it).
    init(
        _ base: any HTTPTransport, policy: RetryPolicy = .standard, clock: any WallClock,
        log: @escaping @Sendable (String) -> Void
    ) {
        self.base = base
        self.policy = policy
        self.clock = clock
        self.log = log
    }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        var attempt = 1
        var previous: Result<HTTPResponse, TransportError>?
        while true {
            let outcome: Result<HTTPResponse, TransportError>
            do throws(TransportError) {
                outcome = .success(try await base.send(request))
            } catch {
                outcome = .failure(Self.refusedRetry(error, previous: previous, request: request))
            }
            // A cancelled task (a token nobody waits for any more) gets no further attempt.
            guard attempt < policy.maxAttempts, !Task.isCancelled,
                let wait = retryDelay(outcome, request: request, attempt: attempt)
            else {
                let response = try outcome.get()
                // Azure DevOps may ask for a pause on a success too: honour it before the next call.
                if response.status < 300, !Task.isCancelled,
                    let pause = RetryPolicy.requestedDelay(response, now: clock.now()), pause > 0
                {
                    try? await clock.sleep(seconds: min(pause, policy.maxDelay))
                }
                return response
            }
            log(
                "\(request.method.rawValue) \(Redaction.path(request.url)) \(Self.describe(outcome)); retry \(attempt) of \(policy.maxAttempts - 1) in \(Decimals.fixed(wait, digits: 1)) s"
            )
            try? await clock.sleep(seconds: wait)
            attempt += 1
            previous = outcome
        }
    }

    /// A retry the run did not send because it is stopping: the attempt before it decides whether
    /// the request may have been carried out (a timeout or a 5xx of a write may have landed).
    private static func refusedRetry(
        _ error: TransportError, previous: Result<HTTPResponse, TransportError>?, request: HTTPRequest
    ) -> TransportError {
        guard error.reason == .stopped(mayHaveLanded: false), let previous else { return error }
        let uncertain: Bool
        switch previous {
        case .success(let response): uncertain = RetryPolicy.isTransientFailure(response.status)
        case .failure(let failure): uncertain = [.timedOut, .connectionLost].contains(failure.reason)
        }
        return TransportError(
            .stopped(mayHaveLanded: uncertain && !request.isRead),
            "the attempt before \(describe(previous)); the retry was \(error.detail)")
    }

    private func retryDelay(_ outcome: Result<HTTPResponse, TransportError>, request: HTTPRequest, attempt: Int)
        -> Double?
    {
        let backoff = policy.backoff(attempt: attempt, random: Double.random(in: 0...1))
        switch outcome {
        case .success(let response):
            if RetryPolicy.isRefusal(response.status) {
                let asked = RetryPolicy.requestedDelay(response, now: clock.now())
                return min(policy.maxDelay, asked ?? backoff)
            }
            if RetryPolicy.isTransientFailure(response.status), request.isIdempotent {
                return backoff
            }
            return nil
        case .failure(let error):
            switch error.reason {
            case .cannotConnect: return backoff
            case .timedOut, .connectionLost: return request.isIdempotent ? backoff : nil
            case .insecure, .stopped, .other: return nil
            }
        }
    }

    private static func describe(_ outcome: Result<HTTPResponse, TransportError>) -> String {
        switch outcome {
        case .success(let response): return "answered \(response.status)"
        case .failure(let error): return "failed (\(error.reason))"
        }
    }
}
