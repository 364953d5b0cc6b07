/// When a credential is due, how long a new one lives and how long an old one stays: read once
/// and shared by the PAT and the client-secret actions (`renewWithinDays`, `validityDays`,
/// `graceHours`).
struct LifetimeOptions: Sendable {
    /// Act only on credentials expiring within this many days (0 = always).
    var renewWithinDays: Int
    /// Lifetime of renewed or new credentials, in days.
    var validityDays: Int
    /// Hours a replacement must exist before an old credential is revoked or removed.
    var graceHours: Int
}
