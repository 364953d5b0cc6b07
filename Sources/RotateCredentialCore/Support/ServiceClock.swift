import Synchronization

/// The services' clock, learned from the `Date` header of their answers.
///
/// Decisions that compare with service timestamps (a token's `validFrom`, a Key Vault version's
/// `created`, grace periods) use this clock, so an agent whose clock is off by minutes decides
/// as the services would. Until an answer arrives it is the agent's clock.
final class ServiceClock: Sendable {
    private let offset = Mutex<TimeInterval?>(nil)
    private let local: any WallClock

    /// Creates a clock over the agent's clock.
    init(local: any WallClock) {
        self.local = local
    }

    /// The services' time now (the agent's time until a `Date` header was seen).
    func now() -> Date {
        local.now().addingTimeInterval(offset.withLock { $0 } ?? 0)
    }

    /// The difference service minus agent, in seconds, if known.
    var skew: TimeInterval? { offset.withLock { $0 } }

    /// Learns from one answer's `Date` header, received at the agent's time `receivedAt`.
    func record(dateHeader: String?, receivedAt: Date) {
        guard let header = dateHeader, let serviceTime = HTTPDate.parse(header) else { return }
        // The header has whole seconds: add half a second so the error is centred.
        let difference = serviceTime.timeIntervalSince(receivedAt) + 0.5
        offset.withLock { $0 = difference }
    }
}
