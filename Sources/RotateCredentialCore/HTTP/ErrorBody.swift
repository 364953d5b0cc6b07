/// Decodes the error bodies of the four services into a ``ServiceError``.
///
/// Text taken from an error body is capped (``maximumText`` characters, bodies over
/// ``maximumBody`` bytes are not parsed) and scrubbed of every registered secret before it is
/// stored: a service that echoes the request body must not put a secret into the log or report.
enum ErrorBody {
    /// Bodies larger than this are not parsed.
    static let maximumBody = 256 * 1024
    /// Longest message or code kept from a body.
    static let maximumText = 2048

    /// Entra: `{"error","error_description":"AADSTSnnnn: …","error_codes":[n]}`.
    struct Entra: Decodable {
        var error: String
        var error_description: String?
        var error_codes: [Int]?
    }

    /// Graph and Key Vault: `{"error":{"code","message","innererror"|"innerError":{"code"}}}`.
    struct Azure: Decodable {
        struct Detail: Decodable {
            struct Inner: Decodable { var code: String? }
            var code: String?
            var message: String?
            var innererror: Inner?
            var innerError: Inner?
        }
        var error: Detail
    }

    /// Azure DevOps: `{"message","typeKey","errorCode"}`.
    struct AzureDevOps: Decodable {
        var message: String?
        var typeKey: String?
    }

    static func error(
        from response: HTTPResponse, for request: HTTPRequest, credential: String, scrub: (String) -> String
    ) -> ServiceError {
        let kind = kind(for: response.status)
        var (code, message) = codeAndMessage(response)
        code = code.map { cap($0, scrub) }
        message = message.map { cap($0, scrub) }
        var error = ServiceError(
            service: request.service, operation: request.operation,
            kind: code.map { refinedKind(kind, code: $0) } ?? kind, status: response.status, code: code,
            serviceMessage: message, requestIds: response.requestIds.map { cap($0, scrub) })
        // A rejected credential is named; codes with advice of their own (AADSTS…) keep it.
        if error.kind == .authentication, ErrorCatalogue.byCode[error.code ?? ""] == nil {
            error.advice = "\(request.service.rawValue) rejected \(credential); check that it is valid and not expired"
        }
        return error
    }

    /// `text` scrubbed and cut to ``maximumText`` characters.
    static func cap(_ text: String, _ scrub: (String) -> String) -> String {
        let cut = text.count > maximumText ? String(text.prefix(maximumText)) + "… (cut)" : text
        return scrub(cut)
    }

    /// The service's code and message, from the body or the error headers.
    static func codeAndMessage(_ response: HTTPResponse) -> (code: String?, message: String?) {
        var code: String?
        var message: String?
        let decoder = JSONDecoder()
        if response.body.count > maximumBody {
            message = "the error body (\(response.body.count) bytes) was too large to read"
        } else if let body = try? decoder.decode(Entra.self, from: response.body) {
            if let first = body.error_codes?.first, !deviceFlowErrors.contains(body.error) {
                code = "AADSTS\(first)"
            } else {
                code = body.error
            }
            message = body.error_description.map(stripEntraDetails)
        } else if let body = try? decoder.decode(Azure.self, from: response.body) {
            let inner = body.error.innererror?.code ?? body.error.innerError?.code
            code = inner.flatMap { ErrorCatalogue.byCode[$0] != nil ? $0 : nil } ?? body.error.code ?? inner
            message = body.error.message
        } else if let body = try? decoder.decode(AzureDevOps.self, from: response.body),
            body.message != nil || body.typeKey != nil
        {
            code = body.typeKey
            message = body.message
        } else if let header = response.header("x-ms-error-code") {
            code = header
        } else if let header = response.header("x-tfs-serviceerror") {
            message = header.removingPercentEncoding ?? header
        }
        return (code, message)
    }

    /// The device flow's polling answers (RFC 8628 3.5; Entra's v2-oauth2-device-code "Expected errors"):
    /// the client decides on `error`, so it becomes the code rather than the AADSTS number.
    static let deviceFlowErrors: Set = [
        "authorization_pending", "slow_down", "expired_token", "access_denied", "authorization_declined",
        "bad_verification_code",
    ]

    static func kind(for status: Int) -> ServiceError.Kind {
        switch status {
        case 401: return .authentication
        case 403: return .permission
        case 404: return .notFound
        case 409: return .conflict
        case 429: return .throttled
        case 500...: return .serverFailure
        default: return .invalidRequest
        }
    }

    /// Entra answers a bad secret with 401 and a bad password with 400; both are authentication.
    static func refinedKind(_ kind: ServiceError.Kind, code: String) -> ServiceError.Kind {
        let signIn = [
            "AADSTS7000215", "AADSTS7000222", "AADSTS50126", "AADSTS50076", "AADSTS50079", "AADSTS50055", "AADSTS50057",
            "AADSTS53003", "AADSTS700213", "AADSTS700027",
        ]
        return signIn.contains(code) ? .authentication : kind
    }

    /// Keeps `AADSTSnnnn: message.` and drops the Trace ID / Correlation ID / Timestamp lines.
    static func stripEntraDetails(_ description: String) -> String {
        let firstLine = description.split(whereSeparator: \.isNewline).first.map(String.init) ?? description
        if let range = firstLine.range(of: " Trace ID:") {
            return String(firstLine[..<range.lowerBound])
        }
        return firstLine
    }
}
