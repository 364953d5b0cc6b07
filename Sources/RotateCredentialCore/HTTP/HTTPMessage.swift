/// HTTP methods the task uses.
enum HTTPMethod: String, Sendable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
}

/// A request, built by a service client.
public struct HTTPRequest: Sendable {
    /// Method.
    var method: HTTPMethod
    /// Absolute URL.
    var url: URL
    /// Header fields. `Authorization` is never logged.
    var headers: [String: String]
    /// Body bytes.
    var body: Data?
    /// When the request may be sent again after an uncertain failure (timeout, 5xx, dropped
    /// connection). True for GET, PUT and DELETE; a POST that creates something is not, and is
    /// retried only when the service said it did not process it (429, 503).
    var isIdempotent: Bool
    /// Whether the request only reads (a GET, a token request): after a stop request it is
    /// abandoned at once, where a write in flight may still answer for a few seconds.
    var isRead: Bool
    /// What the request does, for messages ("create a PAT").
    var operation: String
    /// Which service it goes to, for messages and error decoding.
    var service: ServiceKind
}

extension HTTPRequest {
    /// Creates a request; unless told, only POST and PATCH are not idempotent and only GET reads.
    init(
        _ method: HTTPMethod, _ url: URL, service: ServiceKind, operation: String,
        headers: [String: String] = [:], body: Data? = nil, isIdempotent: Bool? = nil, isRead: Bool? = nil
    ) {
        self.init(
            method: method, url: url, headers: headers, body: body,
            isIdempotent: isIdempotent ?? (method != .post && method != .patch), isRead: isRead ?? (method == .get),
            operation: operation, service: service)
    }
}

/// A response.
public struct HTTPResponse: Sendable {
    /// Status code.
    var status: Int
    /// Header fields, keys lower-cased.
    var headers: [String: String]
    /// Body bytes.
    var body: Data

    /// Creates a response; header names are lower-cased.
    init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    /// A header value, by case-insensitive name.
    func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// Whether the body is declared as JSON.
    var isJSON: Bool {
        (header("content-type") ?? "").lowercased().contains("json")
    }

    /// The ids that support asks for, in the order they are useful.
    var requestIds: [String] {
        ["x-ms-request-id", "request-id", "activityid", "x-vss-e2eid", "client-request-id"]
            .compactMap { name in header(name).map { "\(name): \($0)" } }
    }
}

/// The services this task calls.
enum ServiceKind: String, Sendable {
    case entra = "Microsoft Entra ID"
    case graph = "Microsoft Graph"
    case azureDevOps = "Azure DevOps"
    case keyVault = "Azure Key Vault"
}

/// Sends one request and returns its response: the seam every test replaces.
public protocol HTTPTransport: Sendable {
    /// Sends `request`. Throws ``TransportError`` when no response arrived.
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}

/// A request that got no response.
public struct TransportError: Error, Sendable {
    /// Why.
    enum Reason: Sendable, Equatable {
        /// No connection could be made: the request was certainly not processed.
        case cannotConnect
        /// The response did not arrive in time: the request may have been processed.
        case timedOut
        /// The connection broke: the request may have been processed.
        case connectionLost
        /// TLS or certificate trouble.
        case insecure
        /// The run is stopping (SIGINT, SIGTERM): the request was not sent (`mayHaveLanded` false),
        /// or it was abandoned in flight; a write abandoned so may still be carried out.
        case stopped(mayHaveLanded: Bool)
        /// Anything else.
        case other
    }

    /// Why.
    var reason: Reason
    /// What failed, in words: the host (and proxy), what happened, the library's own message.
    var detail: String
    /// What to do about it, when the transport knows.
    var advice: String?

    /// Creates an error.
    init(_ reason: Reason, _ detail: String, advice: String? = nil) {
        self.reason = reason
        self.detail = detail
        self.advice = advice
    }
}
