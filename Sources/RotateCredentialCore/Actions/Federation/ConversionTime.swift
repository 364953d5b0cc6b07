/// When a connection became federated on its current issuer, for grace periods: the creation time
/// this task recorded on the federated credential serving it, else the revert deadline Azure DevOps
/// states minus the seven-day revert window (azure-devops-docs `connect-to-azure.md`: "If you want
/// to revert the connection, you must revert it within seven days"), else unknown.
enum ConversionTime {
    static let revertWindow: TimeInterval = 7 * 86400

    static func of(_ endpoint: ServiceEndpoint, credentials: [FederatedIdentityCredential]) -> Date? {
        if let issuer = endpoint.federationIssuer, let subject = endpoint.federationSubject,
            let serving = credentials.first(where: { $0.matches(issuer: issuer, subject: subject) }),
            let created = FederatedCredentialRecord.created(serving)
        {
            return created
        }
        return endpoint.revertSchemeDeadline.map { $0.addingTimeInterval(-revertWindow) }
    }

    /// Whether `graceHours` have passed since `time` at `now` (at once for 0, whatever a second's
    /// difference between two readings of the services' clock says; never for an unknown time).
    static func elapsed(_ time: Date?, graceHours: Int, now: Date) -> Bool {
        guard let time else { return false }
        return graceHours <= 0 || now.timeIntervalSince(time) >= Double(graceHours) * 3600
    }
}
