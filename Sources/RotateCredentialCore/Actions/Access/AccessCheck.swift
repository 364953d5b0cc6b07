/// The access check of a dry run, the same for every action: for each change the run planned
/// (``AccessLedger``), asks the services, without changing anything, whether it would be allowed,
/// and reports each answer; a refusal is an error naming what is missing and the fix (the grants of
/// docs/permissions.md). ``TaskRunner`` runs it after an action's dry run.
struct AccessCheck: Sendable {
    let context: ActionContext

    /// Asks about every planned change and reports the findings, in the order planned.
    func run() async -> [AccessFinding] {
        let entries = context.access.entries
        let notes = context.access.notes
        guard !entries.isEmpty || !notes.isEmpty else { return [] }
        let output = context.output
        output.info(
            "Access check (dry run): asking the services, without changing anything, whether each planned change would be allowed."
        )
        for note in notes { output.info(note) }
        let identities = await AzureDevOpsIdentities.lookUp(entries.map(\.need), context: context.services)
        let findings = await Parallel.map(entries, maxParallel: context.configuration.maxParallel) { entry in
            var found = await finding(entry.need, identities: identities)
            found.steps = entry.steps
            return found
        }
        for finding in findings {
            switch finding.verdict {
            case .allowed, .unconfirmed: output.info(finding.line)
            case .unknown: output.warning(finding.line)
            case .refused: output.error(finding.line)
            }
        }
        return findings
    }

    /// The findings as a section of the run summary, each with the planned steps it is about.
    static func summary(_ findings: [AccessFinding]) -> String {
        guard !findings.isEmpty else { return "" }
        let items = findings.map { finding in
            (["- \(finding.line)"] + finding.steps.map { "  - planned: \($0)" }).joined(separator: "\n")
        }
        return "\n### Access check (dry run)\n\n" + items.joined(separator: "\n") + "\n"
    }

    private func finding(_ need: AccessNeed, identities: AzureDevOpsIdentities) async -> AccessFinding {
        var problems: [String] = []
        var found: AccessFinding
        switch need {
        case .administerConnection(let endpoint, let client):
            found = await connection(endpoint, client: client, identity: identities[client.credential], &problems)
        case .changeApplication(let objectId, let label, let identity):
            found = await application(objectId, label: label, identity: identity, &problems)
        case .writeSecret(let name, let vault):
            found = await secret(name, vault: vault, &problems)
        case .managePats(let owner):
            found = await pats(owner, &problems)
        }
        if found.verdict == .unknown, let problem = problems.first { found.text += " (\(problem))" }
        return found
    }

    private func connection(
        _ endpoint: ServiceEndpoint, client: ServiceEndpointClient, identity: AzureDevOpsIdentity?,
        _ problems: inout [String]
    ) async -> AccessFinding {
        let roles = SecurityRolesClient(context: context.services, credential: client.credential)
        let project = endpoint.projectId(named: client.project) ?? client.project
        let inProject = await Self.ask(&problems) {
            try await roles.roleAssignments(
                scope: SecurityRolesClient.connectionInProject, resource: "\(project)_\(endpoint.id)")
        }
        let inOrganization = await Self.ask(&problems) {
            try await roles.roleAssignments(
                scope: SecurityRolesClient.connectionInOrganization, resource: "collection_\(endpoint.id)")
        }
        let mayManage = await Self.ask(&problems) { try await client.mayManage(id: endpoint.id) }
        return AccessDecision.connection(
            "Service connection '\(endpoint.name)' (project \(client.project))", name: endpoint.name,
            identity: identity, roles: inProject, organizationRoles: inOrganization, mayManage: mayManage)
    }

    private func application(
        _ objectId: String, label: String, identity: EntraCredential, _ problems: inout [String]
    ) async -> AccessFinding {
        let subject = "Application \(label)"
        let services = context.services
        guard let token = await Self.ask(&problems, { try await services.tokens.token(identity, for: .graph) }) else {
            return AccessFinding(verdict: .unknown, subject: subject, text: "no token for Microsoft Graph")
        }
        let graph = GraphApplicationClient(context: services, credential: identity)
        let owners = await Self.ask(&problems) { try await graph.owners(objectId: objectId) }
        return AccessDecision.application(
            subject, identity: identity.summary, claims: AccessTokenClaims(token), owners: owners)
    }

    /// Reads the secret (its latest version, as the run does; a value is masked as every read one)
    /// and lists its versions: Key Vault answers 403 to an identity without a read role.
    private func secret(_ name: String, vault: KeyVaultClient, _ problems: inout [String]) async -> AccessFinding {
        let subject = "Key Vault secret '\(name)' (\(vault.vaultURL.host ?? vault.vaultURL.absoluteString))"
        let readable = await Self.permitted(&problems) { _ = try await vault.getSecretIfPresent(name) }
        let listable = await Self.permitted(&problems) { _ = try await vault.versions(name) }
        var found = AccessDecision.secret(subject, identity: vault.identity, readable: readable)
        if readable == true, listable == false {
            found.text +=
                "; listing its versions was refused (Key Vault Secrets User allows both; the run itself reads only the latest version)"
        }
        return found
    }

    /// Whether Key Vault let `read` through: false for 403, nil (noted in `problems`) for another failure.
    static func permitted(_ problems: inout [String], _ read: () async throws -> Void) async -> Bool? {
        do {
            try await read()
            return true
        } catch let error as ServiceError where error.kind == .permission {
            return false
        } catch {
            problems.append((error as? ServiceError).map(brief) ?? "\(error)")
            return nil
        }
    }

    private func pats(_ owner: EntraCredential, _ problems: inout [String]) async -> AccessFinding {
        let subject = "The PAT owner's tokens"
        let tokens = context.services.tokens
        guard let token = await Self.ask(&problems, { try await tokens.token(owner, for: .azureDevOps) }) else {
            return AccessFinding(verdict: .unknown, subject: subject, text: "no token for Azure DevOps")
        }
        return AccessDecision.pats(subject, owner: owner.summary, scopes: AccessTokenClaims(token).scopes)
    }

    /// The answer to `question`, or nil with the service's error noted in `problems`.
    static func ask<Answer: Sendable>(_ problems: inout [String], _ question: () async throws -> Answer) async
        -> Answer?
    {
        do {
            return try await question()
        } catch {
            problems.append((error as? ServiceError).map(brief) ?? "\(error)")
            return nil
        }
    }

    /// The service's answer in a few words: "Azure DevOps answered HTTP 403 (AccessCheckException)".
    static func brief(_ error: ServiceError) -> String {
        let details = [error.status.map { "HTTP \($0)" }, error.code.map { "(\($0))" }].compactMap { $0 }
        return details.isEmpty
            ? "\(error.service.rawValue): \(error.serviceMessage ?? "no answer")"
            : "\(error.service.rawValue) answered \(details.joined(separator: " "))"
    }
}
