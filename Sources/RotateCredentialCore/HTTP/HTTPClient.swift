/// Sends requests to the Azure services and turns every kind of failure into a ``ServiceError``.
///
/// It adds the `Authorization` header (the only code that does), asks Azure DevOps not to redirect
/// to sign-in pages, treats a 203, a redirect or a non-JSON success as an authentication failure,
/// decodes the error bodies of Entra, Graph, Key Vault and Azure DevOps, and writes one debug line
/// per call (method, path, status, time, request ids; never headers or bodies).
struct HTTPClient: Sendable {
    private let transport: any HTTPTransport
    private let output: PipelineOutput
    private let clock: any WallClock
    /// The services' clock, learned from the `Date` header of every answer.
    let serviceClock: ServiceClock

    /// Creates a client over an (already retrying) transport.
    init(transport: any HTTPTransport, output: PipelineOutput, clock: any WallClock) {
        self.transport = transport
        self.output = output
        self.clock = clock
        self.serviceClock = ServiceClock(local: clock)
    }

    /// The masker, for clients that receive secrets.
    var masker: any SecretMasker { output }

    /// Sends a request and returns the successful response, or throws.
    func send(_ request: HTTPRequest, authorization: RequestAuthorization) async throws(ServiceError)
        -> HTTPResponse
    {
        var request = request
        if let value = authorization.headerValue(masker: output) {
            request.headers["Authorization"] = value
        }
        if request.service == .azureDevOps {
            request.headers["X-TFS-FedAuthRedirect"] = "Suppress"
        }
        request.headers["Accept"] = request.headers["Accept"] ?? "application/json"
        request.headers["User-Agent"] = "rotate-credential/\(Version.current)"
        let started = clock.now()
        let response: HTTPResponse
        do throws(TransportError) {
            response = try await transport.send(request)
        } catch {
            output.debug(
                "\(request.method.rawValue) \(Redaction.path(request.url)) -> no response (\(error.reason)) after \(milliseconds(since: started)) ms"
            )
            let kind: ServiceError.Kind
            if case .stopped(let mayHaveLanded) = error.reason {
                kind = .stopped(mayHaveLanded: mayHaveLanded)
            } else {
                kind = .transport
            }
            throw ServiceError(
                service: request.service, operation: request.operation, kind: kind, serviceMessage: error.detail,
                advice: error.advice)
        }
        serviceClock.record(dateHeader: response.header("date"), receivedAt: clock.now())
        output.debug(
            "\(request.method.rawValue) \(Redaction.path(request.url)) -> \(response.status) in \(milliseconds(since: started)) ms \(response.requestIds.joined(separator: " "))"
        )
        try check(response, for: request, authorization: authorization)
        return response
    }

    /// Sends a request and decodes a JSON response.
    func json<Response: Decodable>(
        _ type: Response.Type, _ request: HTTPRequest, authorization: RequestAuthorization
    ) async throws(ServiceError) -> Response {
        let response = try await send(request, authorization: authorization)
        return try decode(type, response, for: request)
    }

    /// Decodes a JSON body, or throws a `malformedResponse` error naming the operation.
    func decode<Response: Decodable>(_ type: Response.Type, _ response: HTTPResponse, for request: HTTPRequest)
        throws(ServiceError) -> Response
    {
        do {
            return try JSON.decoder().decode(type, from: response.body)
        } catch {
            throw ServiceError(
                service: request.service, operation: request.operation, kind: .malformedResponse,
                status: response.status, serviceMessage: "the response could not be read (\(Self.shortReason(error)))",
                requestIds: response.requestIds)
        }
    }

    private func check(_ response: HTTPResponse, for request: HTTPRequest, authorization: RequestAuthorization)
        throws(ServiceError)
    {
        let credential = authorization.credentialName ?? "no credential"
        switch response.status {
        case 203, 300..<400:
            throw ServiceError(
                service: request.service, operation: request.operation, kind: .authentication,
                status: response.status, serviceMessage: "the service answered with a sign-in page instead of data",
                requestIds: response.requestIds,
                advice: "\(request.service.rawValue) rejected \(credential)" + Self.signInAdvice(request, authorization)
            )
        case 200..<300:
            if !response.body.isEmpty, !response.isJSON, request.service != .entra || response.status != 204 {
                throw ServiceError(
                    service: request.service, operation: request.operation, kind: .authentication,
                    status: response.status,
                    serviceMessage:
                        "the service answered \(response.header("content-type") ?? "without a content type") instead of JSON (a sign-in page)",
                    requestIds: response.requestIds,
                    advice: "\(request.service.rawValue) rejected \(credential)"
                        + Self.signInAdvice(request, authorization))
            }
        default:
            throw ErrorBody.error(from: response, for: request, credential: credential, scrub: output.clean)
        }
    }

    private static func signInAdvice(_ request: HTTPRequest, _ authorization: RequestAuthorization) -> String {
        if request.url.path.lowercased().contains("/tokens/pats") {
            return
                "; the PAT Lifecycle Management API needs a user's Entra token for Azure DevOps (patOwnerRefreshTokenSecret, the password flow or patOwnerAccessToken), not a PAT or a service principal's token"
        }
        return "; check that it is valid and not expired"
    }

    private func milliseconds(since start: Date) -> Int {
        Int(clock.now().timeIntervalSince(start) * 1000)
    }

    /// Why a body could not be decoded, naming the field (`patTokens.3.validTo`) but no value.
    static func shortReason(_ error: any Error) -> String {
        func field(_ path: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = (path + (last.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }
            return "'\(keys.joined(separator: "."))'"
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "required field \(field(context.codingPath, key)) is missing"
        case DecodingError.valueNotFound(_, let context):
            return "required field \(field(context.codingPath)) is null"
        case DecodingError.typeMismatch(_, let context):
            return "field \(field(context.codingPath)) has the wrong type"
        case DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty:
            let what =
                context.debugDescription.hasPrefix("Not an ISO 8601 date") ? "not a valid date" : "not a valid value"
            return "field \(field(context.codingPath)) is \(what)"
        default: return "not valid JSON"
        }
    }
}
