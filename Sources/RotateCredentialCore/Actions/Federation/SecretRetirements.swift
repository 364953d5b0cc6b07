/// Phase two of `service-connection-convert` with `removeSecretAfterConversion`: for each
/// application whose listed connections ended federated on the Entra issuer, one
/// ``SecretRetirementReconciler`` loop, with the application's record and lease when a vault is
/// configured (released in the record when the loop ends).
struct SecretRetirements: Sendable {
    let tools: FederationTools
    /// The organization's connections, for the look through every project.
    let connections: ServiceEndpointClient

    /// What the retirements did; `unchecked`: applications that could not be observed (nothing removed).
    struct Result: Sendable {
        var outcomes: [SecretRetirementOutcome] = []
        var unchecked: [RetirementNote] = []
    }

    private var context: ActionContext { tools.context }

    /// Runs a retirement per application of the connections `outcomes` left federated on Entra (in
    /// a dry run: would leave).
    func run(_ outcomes: [ConversionOutcome]) async -> Result {
        guard context.configuration.conversion.removeSecretAfterConversion else { return Result() }
        var byApp: [String: [FederatedConnection]] = [:]
        for outcome in outcomes where outcome.succeeded {
            let current = outcome.latest
            guard current.endpoint.isWorkloadIdentityFederation,
                current.endpoint.federationIssuer.map(ConversionSimulation.kind(of:)) == .entra
            else { continue }
            byApp[current.application.appId.lowercased(), default: []].append(
                FederatedConnection(
                    id: current.endpoint.id, name: current.endpoint.name,
                    converted: ConversionTime.of(current.endpoint, credentials: current.credentials)))
        }
        var result = Result()
        for appId in byApp.keys.sorted() {
            do {
                result.outcomes.append(try await retire(appId: appId, connections: byApp[appId] ?? []))
            } catch {
                result.unchecked.append(
                    RetirementNote(
                        applicationId: appId, credential: "client secrets of application \(appId)",
                        outcome: "not checked (nothing removed): \(error)"))
            }
        }
        return result
    }

    private func retire(appId: String, connections federated: [FederatedConnection]) async throws
        -> SecretRetirementOutcome
    {
        let configuration = context.configuration
        var keeper: RecordKeeper?
        if let vault = context.keyVault() {
            keeper = try await RecordKeeper.load(
                RecordStore(keyVault: vault, scope: RecordStore.application(appId: appId)), run: configuration.run,
                context: context,
                leaseSeconds: 1_800 + Double(configuration.clientSecret.replicationTimeoutSeconds))
        }
        let reconciler = SecretRetirementReconciler(
            tools: tools, policy: SecretRetirementPolicy(graceHours: configuration.lifetimes.graceHours),
            connections: federated, store: context.keyVault().map(SecretStore.init(keyVault:)),
            secretName: configuration.keyVault?.secretNameTemplate, keeper: keeper,
            scanner: BystanderScanner(client: connections, maxParallel: configuration.maxParallel))
        let outcome = await reconciler.run(from: try await reconciler.observe(appId: appId))
        await keeper?.release(left: []) { _ in false }
        return outcome
    }
}
