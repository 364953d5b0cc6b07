/// Dates in log lines and summaries.
enum DateText {
    /// ISO 8601, or `?` when unknown.
    static func of(_ date: Date?) -> String {
        guard let date else { return "?" }
        return Timestamp.format(date)
    }
}
