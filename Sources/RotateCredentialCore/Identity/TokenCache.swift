/// Fetches each identity's token for each resource once per run; concurrent callers share one request.
actor TokenCache {
    private let client: EntraTokenClient
    private var tokens: [String: Task<Secret, any Error>] = [:]

    /// Creates a cache over a token client.
    init(client: EntraTokenClient) {
        self.client = client
    }

    /// Starts fetching the token of `credential` for `audience` without waiting for it.
    func prefetch(_ credential: EntraCredential, for audience: TokenAudience) {
        _ = request(credential, for: audience)
    }

    /// The token of `credential` for `audience`.
    func token(_ credential: EntraCredential, for audience: TokenAudience) async throws(ServiceError) -> Secret {
        let key = Self.key(credential, audience)
        let task = request(credential, for: audience)
        do {
            return try await task.value
        } catch let error as ServiceError {
            tokens[key] = nil
            throw error
        } catch {
            tokens[key] = nil
            throw ServiceError(service: .entra, operation: "get a token", kind: .transport, serviceMessage: "\(error)")
        }
    }

    /// Cancels the requests nobody awaited (an action that failed early leaves some in flight)
    /// and waits until every request has ended, so no call is still running when the process exits.
    func settle() async {
        let pending = Array(tokens.values)
        for task in pending { task.cancel() }
        for task in pending { _ = try? await task.value }
    }

    private func request(_ credential: EntraCredential, for audience: TokenAudience) -> Task<Secret, any Error> {
        let key = Self.key(credential, audience)
        if let existing = tokens[key] { return existing }
        let client = self.client
        let task = Task { try await client.token(credential, for: audience) }
        tokens[key] = task
        return task
    }

    private static func key(_ credential: EntraCredential, _ audience: TokenAudience) -> String {
        credential.summary + "|" + audience.rawValue
    }
}
