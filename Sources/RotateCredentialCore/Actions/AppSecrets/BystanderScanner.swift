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
        let projects: [String]
        do {
            projects = try await client.projectNames()
        } catch {
            return BystanderScan(unreadable: ["the organization's project list (\(error.kind))"])
        }
        let perProject = await Parallel.map(projects, maxParallel: maxParallel) { project in
            await scan(
                project, client: client.forProject(project), appId: appId, record: record, written: written, now: now)
        }
        return perProject.reduce(into: BystanderScan()) { all, one in
            all.found += one.found
            all.present.formUnion(one.present)
            all.unreadable += one.unreadable
        }
    }

    private func scan(
        _ project: String, client: ServiceEndpointClient, appId: String, record: CredentialRecord,
        written: Set<String>, now: Date
    ) async -> BystanderScan {
        let endpoints: [ServiceEndpoint]
        do {
            endpoints = try await client.allEndpoints(type: "azurerm")
        } catch {
            return BystanderScan(unreadable: ["project '\(project)' (\(error.kind))"])
        }
        let secretBased = endpoints.filter { endpoint in
            endpoint.usesClientSecret && endpoint.servicePrincipalId?.lowercased() == appId.lowercased()
        }
        let found = secretBased.filter { !written.contains($0.id.lowercased()) }
        return BystanderScan(
            found: found.map { endpoint in
                let known = record.bystanders.first { $0.id.lowercased() == endpoint.id.lowercased() }
                return Bystander(
                    id: endpoint.id, name: endpoint.name, project: project, firstSeen: known?.firstSeen ?? now)
            }, present: Set(secretBased.map { $0.id.lowercased() }))
    }
}
