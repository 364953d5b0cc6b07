/// When and how long to wait before sending a request again.
struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    var maxAttempts: Int
    /// Delay before the second attempt; doubled each time, with full jitter.
    var baseDelay: Double
    /// Longest wait between two attempts, whatever the service asks.
    var maxDelay: Double

    /// Five attempts, 0.5 s doubling, at most 60 s apart.
    static let standard = RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 60)

    /// Whether a status means "not processed, come back later": safe to send again whatever the method.
    static func isRefusal(_ status: Int) -> Bool {
        status == 429 || status == 503
    }

    /// Whether a status is a transient server failure that may have been processed.
    static func isTransientFailure(_ status: Int) -> Bool {
        [500, 502, 504].contains(status)
    }

    /// The wait the service asked for: `Retry-After` (seconds or an HTTP date), else Azure DevOps'
    /// `X-RateLimit-Reset` (Unix time) when the budget is spent, else `X-RateLimit-Delay`.
    static func requestedDelay(_ response: HTTPResponse, now: Date) -> Double? {
        if let value = response.header("retry-after") {
            if let seconds = Double(value.trimmingCharacters(in: .whitespaces)) { return max(0, seconds) }
            if let date = HTTPDate.parse(value) { return max(0, date.timeIntervalSince(now)) }
        }
        if response.header("x-ratelimit-remaining") == "0", let reset = response.header("x-ratelimit-reset"),
            let epoch = Double(reset)
        {
            return max(0, epoch - now.timeIntervalSince1970)
        }
        if let delay = response.header("x-ratelimit-delay").flatMap(Double.init) {
            return delay
        }
        return nil
    }

    /// Exponential backoff with full jitter for attempt `attempt` (1 = the first retry).
    func backoff(attempt: Int, random: Double) -> Double {
        min(maxDelay, baseDelay * Double(sign: .plus, exponent: attempt - 1, significand: 1) * (0.5 + random / 2))
    }
}
