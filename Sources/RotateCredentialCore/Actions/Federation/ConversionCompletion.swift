/// Converts a connection whose federated credential is in place and waits until Azure DevOps has,
/// as ``ConversionState`` describes the service: while it converts in the background the connection
/// is read again; while its test sign-in fails (`Failed, converting_scheme_failed`, or an answer
/// carrying AADSTS70021) the conversion is sent again. Bounded by `timeoutSeconds`, with a progress
/// line at least every 10 s saying what it waits for and for how long at most.
struct ConversionCompletion: Sendable {
    let tools: FederationTools
    /// How long to wait in all (`replicationTimeoutSeconds`).
    let timeoutSeconds: Int

    /// The longest pause between two looks, so a progress line comes at least this often.
    static let longestPause = 10.0

    /// Completes the conversion of `endpoint` (as this run last read or got it back) and returns the
    /// converted connection; throws a ``FederationFailure`` naming the state when it cannot.
    func complete(_ endpoint: ServiceEndpoint, issuer: String, subject: String) async throws -> ServiceEndpoint {
        var stopwatch = Stopwatch(tools.context.clock)
        var current = endpoint
        var state = ConversionState.of(endpoint)
        var sent = false
        var testFailed = false
        var round = 0
        while true {
            testFailed = testFailed || state == .testFailed
            let next = state.next(sent: sent)
            switch next {
            case .done: return current
            case .stop: throw stopped(current, state: state)
            case .send where !sent:
                (current, state) = try await send(current)
                sent = true
                continue
            case .send, .wait: break
            }
            let left = Double(timeoutSeconds) - stopwatch.elapsed
            guard left > 0 else {
                throw testFailed
                    ? FederationFailure.conversionFailed(name: endpoint.name, issuer: issuer, subject: subject)
                    : FederationFailure.conversionPending(name: endpoint.name, seconds: timeoutSeconds)
            }
            round += 1
            let pause = min(1.5 * Double(round), Self.longestPause, left)
            tools.output.info(progress(endpoint.name, state: state, pause: pause, left: left))
            try tools.context.cancellation.check()
            try await stopwatch.pause(pause)
            (current, state) = next == .send ? try await send(current) : try await read(current)
        }
    }

    /// Sends the conversion; an answer that reports the test sign-in's failure counts as `testFailed`.
    private func send(_ endpoint: ServiceEndpoint) async throws -> (ServiceEndpoint, ConversionState) {
        do {
            let answer = try await tools.convert(endpoint) { ConversionState.of($0) != .notConverted }
            return (answer, ConversionState.of(answer))
        } catch let error as ServiceError where Self.reportsTestFailure(error) {
            tools.output.info(
                "Azure DevOps could not sign in with the new scheme of '\(endpoint.name)' yet (\(error.code ?? error.serviceMessage ?? "\(error.kind)"))."
            )
            return (endpoint, .testFailed)
        }
    }

    private func read(_ endpoint: ServiceEndpoint) async throws -> (ServiceEndpoint, ConversionState) {
        guard let current = try await tools.connections.endpoint(id: endpoint.id) else {
            throw RotationFailure.connectionUnreadable(name: endpoint.name, id: endpoint.id)
        }
        return (current, ConversionState.of(current))
    }

    /// Whether a refused conversion carries the test sign-in's failure: Entra does not honour the
    /// federated credential yet (the codes ``FederationProof`` retries).
    static func reportsTestFailure(_ error: ServiceError) -> Bool {
        if FederationProof.replicationCodes.contains(error.code ?? "") { return true }
        let words = (error.serviceMessage ?? "").split { !$0.isLetter && !$0.isNumber }.map(String.init)
        return words.contains(where: FederationProof.replicationCodes.contains)
    }

    private func stopped(_ endpoint: ServiceEndpoint, state: ConversionState) -> Error {
        if case .busy(let message) = state { return FederationFailure.busy(name: endpoint.name, message: message) }
        return FederationFailure.readBack(
            name: endpoint.name,
            detail:
                "the conversion answered scheme '\(endpoint.scheme)' with operationStatus \(endpoint.operationState ?? "none") and nothing under way"
        )
    }

    private func progress(_ name: String, state: ConversionState, pause: Double, left: Double) -> String {
        let bound = "at most \(Int(left.rounded(.up))) s more (replicationTimeoutSeconds)"
        if state == .converting {
            return
                "Azure DevOps is converting '\(name)' in the background (operationStatus InProgress, \(ConversionState.convertingMessage)): it signs in with the new federated credential first, which Entra may not honour for a few minutes. Reading it again in \(Decimals.fixed(pause, digits: 1)) s; waiting \(bound)."
        }
        return
            "Azure DevOps' test sign-in for '\(name)' failed (operationStatus Failed, \(ConversionState.failedMessage), or AADSTS70021): Entra does not honour the new federated credential yet. Sending the conversion again in \(Decimals.fixed(pause, digits: 1)) s; trying \(bound)."
    }
}
