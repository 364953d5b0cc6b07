/// Looks through every project of the organization for secret-based service connections of an
/// application that the task does not write: a connection's key cannot be read, so each may hold
/// any secret of the application older than the task's first sight of it. A project that cannot
/// be read is named as a place that may hold any secret.
struct BystanderScanner: Sendable {
    /// The organization's connections, as the configured Azure DevOps identity sees them; nil
    /// when there is no such identity.
    let client: ServiceEndpointClient?
    let maxParallel: Int

    /// The bystanders of `appId` (secret-based connections neither listed in `written` nor
    /// recorded as holders); one seen before keeps the first sight `record` has for it.
    func scan(appId: String, record: CredentialRecord, written: [ConnectionRef], now: Date) async -> BystanderScan {
        let written = Set((written.map(\.id) + record.holders.map(\.id)).map { $0.lowercased() })
        guard let client else {
            return BystanderScan(unreadable: [
                "the organization's service connections (no Azure DevOps identity: a pipeline job passes its own token; outside one set azureDevOpsIdentity to azureSubscription)"
            ])
        }
        let search = await client.secretConnections(of: appId, maxParallel: maxParallel)
        let found = search.found.filter { !written.contains($0.endpoint.id.lowercased()) }
        return BystanderScan(
            found: found.map { hit in
                let known = record.bystanders.first { $0.id.lowercased() == hit.endpoint.id.lowercased() }
                return Bystander(
                    id: hit.endpoint.id, name: hit.endpoint.name, project: hit.project,
                    firstSeen: known?.firstSeen ?? now)
            },
            present: Set(search.found.map { $0.endpoint.id.lowercased() }), unreadable: search.unreadable)
    }
}
