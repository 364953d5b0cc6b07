/// Finds the named service connections, decides for each before anything changes, and builds
/// the plan steps that write a key into them and check them afterwards.
struct ServiceConnectionUpdater: Sendable {
    let client: ServiceEndpointClient
    let output: PipelineOutput
    let project: String

    /// Looks every name up and decides; throws when a name is missing or a connection is refused,
    /// so that a refusal stops the run before any change.
    func discover(
        names: [String], appId: String?, convertAutomatic: Bool, allowForeign: Bool
    ) async throws -> [ServiceConnectionChange] {
        guard !names.isEmpty else { return [] }
        let found = try await client.endpoints(named: names)
        var changes: [ServiceConnectionChange] = []
        var problems: [String] = []
        for name in names {
            guard let endpoint = found.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                problems.append(
                    "'\(name)': no service connection of that name in project \(project) (or the identity may not see it)."
                )
                continue
            }
            let change = ServiceConnectionChange.decide(
                endpoint, appId: appId, convertAutomatic: convertAutomatic, allowForeign: allowForeign)
            switch change {
            case .refuse(let name, let reason):
                problems.append("'\(name)': \(reason)")
            case .skipWorkloadIdentity(let endpoint):
                output.info(
                    "Service connection '\(endpoint.name)' uses workload identity federation: it has no secret and needs no rotation; skipped."
                )
            case .update(let endpoint, let converts):
                if converts {
                    output.info(
                        "Service connection '\(endpoint.name)' is Automatic; it will be converted to Manual (convertAutomaticConnections). The conversion is permanent: Azure DevOps will no longer manage its service principal."
                    )
                }
            }
            changes.append(change)
        }
        if !problems.isEmpty {
            throw RotationFailure.connectionsRefused(problems)
        }
        return changes
    }

    /// PUTs `endpoint` back with `key` (converted from Automatic to Manual when `converting`),
    /// reads it back and checks it is ready.
    func write(_ key: Secret, into endpoint: ServiceEndpoint, converting: Bool) async throws {
        let updated = ServiceConnectionChange.withKey(endpoint, key: key, convertAutomatic: converting)
        _ = try await client.update(updated)
        if converting {
            output.warning(
                "Service connection '\(endpoint.name)' was converted from Automatic to Manual; this is permanent, and its secret is now rotated by this task, not by Azure DevOps."
            )
        }
        guard let current = try await client.endpoint(id: endpoint.id) else {
            throw RotationFailure.connectionUnreadable(name: endpoint.name, id: endpoint.id)
        }
        if current.operationState?.lowercased() == "failed" || current.isReady == false {
            throw RotationFailure.connectionNotReady(
                name: endpoint.name, isReady: current.isReady == true, state: current.operationState ?? "missing",
                detail: current.operationMessage ?? "")
        }
    }

    /// Markdown lines for the summary.
    static func summaryLines(_ changes: [ServiceConnectionChange]) -> [String] {
        var lines: [String] = []
        let updated = changes.compactMap { change -> ServiceEndpoint? in
            if case .update(let endpoint, _) = change { return endpoint }
            return nil
        }
        for change in changes {
            switch change {
            case .update(let endpoint, let converts):
                lines.append(
                    "- Service connection `\(endpoint.name)`: new secret\(converts ? " (converted from Automatic to Manual)" : "")"
                )
            case .skipWorkloadIdentity(let endpoint):
                lines.append(
                    "- Service connection `\(endpoint.name)`: workload identity federation, no secret, skipped")
            case .refuse(let name, let reason):
                lines.append("- Service connection `\(name)`: refused, \(reason)")
            }
        }
        if !updated.isEmpty {
            lines.append("")
            lines.append(
                "These connections still use a client secret and could be converted to workload identity federation, which removes the secret for good: \(updated.map { "`\($0.name)`" }.joined(separator: ", ")) (action service-connection-convert, or Project settings > Service connections > the connection > Convert)."
            )
        }
        return lines
    }
}
