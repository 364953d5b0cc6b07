import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real transport: one `URLSession` (libcurl on Linux) with the configured timeout.
///
/// Redirects are not followed: Azure DevOps answers a rejected credential with a redirect to a
/// sign-in page, which must surface as an authentication failure rather than be fetched.
public final class URLSessionTransport: NSObject, HTTPTransport, URLSessionTaskDelegate {
    private let timeout: TimeInterval
    private nonisolated(unsafe) var session: URLSession!
    /// 401 answers URLSession turned into authentication challenges, by client request id.
    private let challenged = Mutex<[String: HTTPResponse]>([:])

    /// Creates a transport whose requests time out after `timeout` seconds.
    public init(timeout: TimeInterval) {
        self.timeout = timeout
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpMaximumConnectionsPerHost = 16
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method.rawValue
        // Azure services echo this id back; it also pairs a challenged 401 with its request.
        let clientRequestId = UUID().uuidString.lowercased()
        urlRequest.setValue(clientRequestId, forHTTPHeaderField: "x-ms-client-request-id")
        for (name, value) in request.headers {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        urlRequest.httpBody = request.body
        do {
            let (data, response) = try await perform(urlRequest)
            guard let http = response as? HTTPURLResponse else {
                throw TransportError(.other, "not an HTTP response")
            }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                headers[String(describing: key)] = String(describing: value)
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: data)
        } catch let error as TransportError {
            throw error
        } catch let error as URLError {
            if error.code == .cancelled, let response = challenged.withLock({ $0.removeValue(forKey: clientRequestId) }) {
                return response
            }
            let detail = String(describing: (error as NSError).userInfo[NSUnderlyingErrorKey] ?? error.localizedDescription)
            let reason = detail.contains("SSL") || detail.contains("certificate") ? .insecure : Self.reason(error.code)
            throw TransportError(reason, detail)
        } catch {
            throw TransportError(.other, String(describing: error))
        }
    }

    /// Runs one request to its end. Deliberately not `URLSession.data(for:)`: that one cancels
    /// the transfer when the calling task is cancelled, and on Linux a cancelled transfer can
    /// leave its continuation unresumed (the process hangs). A request here always ends by its
    /// answer, its error or the timeout; cancellation is honoured between attempts instead.
    private func perform(_ request: URLRequest) async throws -> (Data, URLResponse) {
        try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let response {
                    continuation.resume(returning: (data ?? Data(), response))
                } else {
                    continuation.resume(throwing: URLError(.badServerResponse))
                }
            }.resume()
        }
    }

    public func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    /// A 401 with `WWW-Authenticate` is an answer to hand back, not a challenge to negotiate: the
    /// task sends its own `Authorization` header. URLSession on Linux hangs when told to go on
    /// without a credential, so the challenge is refused (which cancels the task) and the 401
    /// is kept here for `send` to return; its body is lost, its status and headers are not.
    public func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        if let id = task.originalRequest?.value(forHTTPHeaderField: "x-ms-client-request-id"),
            let failure = challenge.failureResponse as? HTTPURLResponse
        {
            var headers: [String: String] = [:]
            for (key, value) in failure.allHeaderFields {
                headers[String(describing: key)] = String(describing: value)
            }
            challenged.withLock { $0[id] = HTTPResponse(status: failure.statusCode, headers: headers) }
        }
        completionHandler(.rejectProtectionSpace, nil)
    }

    static func reason(_ code: URLError.Code) -> TransportError.Reason {
        switch code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet: return .cannotConnect
        case .timedOut: return .timedOut
        case .networkConnectionLost, .badServerResponse, .zeroByteResource: return .connectionLost
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return .insecure
        default: return .other
        }
    }
}
