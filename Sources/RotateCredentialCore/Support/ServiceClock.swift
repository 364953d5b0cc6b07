import Foundation
import Synchronization

/// The services' clock, learned from the `Date` header of their answers.
///
/// Decisions that compare with service timestamps (a token's `validFrom`, a Key Vault version's
/// `created`, grace periods) use this clock, so an agent whose clock is off by minutes decides
/// as the services would. Until an answer arrives it is the agent's clock.
public final class ServiceClock: Sendable {
    private let offset = Mutex<TimeInterval?>(nil)
    private let local: any WallClock

    /// Creates a clock over the agent's clock.
    public init(local: any WallClock) {
        self.local = local
    }

    /// The services' time now (the agent's time until a `Date` header was seen).
    public func now() -> Date {
        local.now().addingTimeInterval(offset.withLock { $0 } ?? 0)
    }

    /// The difference service minus agent, in seconds, if known.
    public var skew: TimeInterval? { offset.withLock { $0 } }

    /// Learns from one answer's `Date` header, received at the agent's time `receivedAt`.
    public func record(dateHeader: String?, receivedAt: Date) {
        guard let header = dateHeader, let serviceTime = HTTPDate.parse(header) else { return }
        // The header has whole seconds: add half a second so the error is centred.
        let difference = serviceTime.timeIntervalSince(receivedAt) + 0.5
        offset.withLock { $0 = difference }
    }
}

/// RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form every Azure service sends.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The date, or nil when the text is not an IMF-fixdate.
    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
            let month = months.firstIndex(of: parts[2].lowercased())
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        let days = daysFromCivil(year: year, month: month + 1, day: day)
        let seconds = days * 86_400 + clock[0] * 3_600 + clock[1] * 60 + clock[2]
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
