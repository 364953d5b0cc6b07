/// What the services said about one planned change: allowed, refused (naming what is missing and
/// the fix), not something a read can tell, or not asked because asking failed.
struct AccessFinding: Sendable, Equatable {
    /// What the answer means for the planned change.
    enum Verdict: Sendable, Equatable {
        /// The services say the change would be allowed.
        case allowed
        /// The services say it would be refused: the run would fail there.
        case refused
        /// Only the change itself would tell (Key Vault has no way to ask about a write).
        case unconfirmed
        /// Asking failed; the reason is in the text.
        case unknown
    }

    /// What the answer means.
    var verdict: Verdict
    /// What the finding is about: "Service connection 'payments-prod' (project Platform)".
    var subject: String
    /// What the services said.
    var text: String
    /// What to grant, for a refusal (naming the permissions matrix' grant).
    var fix: String?
    /// The planned steps it is about (the run summary lists them).
    var steps: [String] = []

    /// The finding as one sentence for the log and the summary.
    var line: String {
        let words = text.hasSuffix(".") ? String(text.dropLast()) : text
        switch verdict {
        case .allowed: return "\(subject): allowed: \(words)."
        case .refused: return "\(subject): would be refused: \(words). \(fix ?? "")"
        case .unconfirmed: return "\(subject): \(words)."
        case .unknown: return "\(subject): could not be checked: \(words)."
        }
    }
}
