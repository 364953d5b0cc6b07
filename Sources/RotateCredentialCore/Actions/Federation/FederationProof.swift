/// Proves that a federated connection works the way a pipeline job uses it: the job's OIDC token
/// request for the connection (`POST {System.OidcRequestUri}?api-version=7.1&serviceConnectionId={id}`
/// with the job access token; shared notes agent.md "Workload identity federation from a task",
/// vsts-rest-api-specs distributedTask 7.1 `Oidctoken_Create`), then the client-assertion exchange at
/// Entra for the connection's Resource Manager scope.
///
/// Right after a federated credential is created Entra may still answer "no matching federated
/// identity record" (AADSTS70021/700211/700213) or "no configured federated identity credentials"
/// (AADSTS70025) while it replicates ("retry, even after one success": Entra's workload identity
/// federation considerations); those are retried until `timeoutSeconds`, with a line at least
/// every 10 s saying for how long at most.
struct FederationProof: Sendable {
    let tokens: EntraTokenClient
    /// `SYSTEM_OIDCREQUESTURI` and the job access token; nil outside a pipeline job.
    let oidc: PipelineOIDC?
    let clock: any WallClock
    let output: PipelineOutput
    let timeoutSeconds: Int
    let cancellation: Cancellation

    static let replicationCodes: Set<String> = ["AADSTS70021", "AADSTS700211", "AADSTS700213", "AADSTS70025"]

    /// What was proven, or how to verify when the run cannot ask for the connection's token.
    func verify(_ endpoint: ServiceEndpoint) async throws -> String {
        guard let oidc else {
            return
                "not proven here (no pipeline job: SYSTEM_OIDCREQUESTURI and SYSTEM_ACCESSTOKEN are not set); \(Self.howToVerify(endpoint))"
        }
        guard let tenant = endpoint.tenantId, let appId = endpoint.servicePrincipalId else {
            throw FederationFailure.incomplete(name: endpoint.name, missing: "tenantid or serviceprincipalid")
        }
        let request = OIDCTokenRequest(
            requestURL: oidc.requestURL, serviceConnectionId: endpoint.id, jobAccessToken: oidc.jobAccessToken)
        let scope =
            (endpoint.resourceManagerURL ?? "https://management.azure.com/").trimmingCharacters(
                in: CharacterSet(charactersIn: "/")) + "/.default"
        var stopwatch = Stopwatch(clock)
        var attempt = 0
        while true {
            let assertion: Secret
            do throws(ServiceError) {
                assertion = try await tokens.oidcToken(request)
            } catch {
                guard [.notFound, .permission, .invalidRequest].contains(error.kind) else { throw error }
                return
                    "not proven here (this job may not use the connection: \(error.serviceMessage ?? "\(error.kind)")); \(Self.howToVerify(endpoint))"
            }
            let failure: ServiceError
            do throws(ServiceError) {
                _ = try await tokens.assertionToken(
                    tenantId: tenant, clientId: appId, assertion: assertion, scope: scope)
                return "proven: the job's OIDC token for it was exchanged for a \(scope) token"
            } catch {
                failure = error
            }
            let replicating = failure.code.map(Self.replicationCodes.contains) == true
            let left = Double(timeoutSeconds) - stopwatch.elapsed
            guard replicating, left > 0 else { throw failure }
            attempt += 1
            let pause = min(Double(1 << min(attempt, 4)), ConversionCompletion.longestPause, left)
            output.info(
                "Entra does not accept the OIDC token of '\(endpoint.name)' yet (\(failure.code ?? "")): a new federated credential can take minutes to be honoured. Trying again in \(Int(pause)) s, for at most \(Int(left.rounded(.up))) s more (replicationTimeoutSeconds)."
            )
            try cancellation.check()
            try await stopwatch.pause(pause)
        }
    }

    /// How to verify by hand.
    static func howToVerify(_ endpoint: ServiceEndpoint) -> String {
        "verify it with a pipeline step that uses it (for example AzureCLI@2 with azureSubscription: '\(endpoint.name)' running 'az account show'), or with Verify in Project settings > Service connections > \(endpoint.name) > Edit."
    }
}
