/// A call that failed: the service's own code, what it means and what to do.
struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// Broad class of the failure, for decisions (retry, undo, exit message).
    enum Kind: Sendable, Equatable {
        /// The credential was rejected (401, 203 sign-in page, redirect, AADSTS sign-in errors).
        case authentication
        /// The identity lacks a permission or role (403).
        case permission
        /// The object does not exist (404, or Azure DevOps' 200 with `null`).
        case notFound
        /// The name or state conflicts (409).
        case conflict
        /// The service kept refusing: too many requests.
        case throttled
        /// The request was refused as invalid, including a policy (400, `patTokenError`).
        case invalidRequest
        /// The service failed (5xx).
        case serverFailure
        /// No response: timeout, dropped connection, TLS.
        case transport
        /// The response could not be read.
        case malformedResponse
        /// The run is stopping (SIGINT, SIGTERM): the request was not sent, or was abandoned in
        /// flight; `mayHaveLanded` when it was a write the service may still carry out.
        case stopped(mayHaveLanded: Bool)
    }

    /// Whether this is a write abandoned by a stop request, which the service may still carry out.
    var mayStillLand: Bool { kind == .stopped(mayHaveLanded: true) }

    /// Which service.
    var service: ServiceKind
    /// What was being done, e.g. "create a PAT".
    var operation: String
    /// The class of failure.
    var kind: Kind
    /// HTTP status, when a response arrived.
    var status: Int?
    /// The service's error code (`AADSTS7000215`, `Authorization_RequestDenied`, `typeKey`, `patTokenError`…).
    var code: String?
    /// The service's message, first line only.
    var serviceMessage: String?
    /// Request ids for support.
    var requestIds: [String]
    /// What it means and what to do.
    var advice: String?

    /// Creates an error; `advice` defaults to the catalogue's entry for `code`.
    init(
        service: ServiceKind, operation: String, kind: Kind, status: Int? = nil, code: String? = nil,
        serviceMessage: String? = nil, requestIds: [String] = [], advice: String? = nil
    ) {
        self.service = service
        self.operation = operation
        self.kind = kind
        self.status = status
        self.code = code
        self.serviceMessage = serviceMessage.map { String($0.split(whereSeparator: \.isNewline).first ?? "") }
        self.requestIds = requestIds
        self.advice = advice ?? ErrorCatalogue.advice(service: service, code: code, kind: kind, status: status)
    }

    /// One paragraph for the log: what failed, the service's code and words, the advice, the ids.
    var description: String {
        var text = "\(service.rawValue): \(operation) failed"
        let details = [status.map { "HTTP \($0)" }, code].compactMap { $0 }
        if !details.isEmpty { text += " (\(details.joined(separator: ", ")))" }
        if let serviceMessage, !serviceMessage.isEmpty {
            text += ": " + (serviceMessage.hasSuffix(".") ? String(serviceMessage.dropLast()) : serviceMessage)
        }
        if let advice { text += ". \(advice)" }
        if !requestIds.isEmpty { text += " [\(requestIds.joined(separator: "; "))]" }
        return text
    }
}
