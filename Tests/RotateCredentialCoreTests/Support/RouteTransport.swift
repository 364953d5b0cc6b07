import Foundation
import Synchronization
import Testing

@testable import RotateCredentialCore

/// A fake transport that answers from a route table (method + path suffix) and fails the test on
/// any request no route expects, so an action test states every call the action may make.
final class RouteTransport: HTTPTransport {
    typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    struct Route: Sendable {
        var method: HTTPMethod
        var pathSuffix: String
        var handler: Handler
    }

    private let routes: [Route]
    private let log = Mutex<[String]>([])

    init(_ routes: [Route]) {
        self.routes = routes
    }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let line = "\(request.method.rawValue) \(request.url.path)"
        log.withLock { $0.append(line) }
        guard let route = routes.first(where: { $0.method == request.method && request.url.path.hasSuffix($0.pathSuffix) })
        else {
            Issue.record("unexpected request: \(line)")
            return HTTPResponse(status: 599, headers: ["Content-Type": "application/json"], body: Data("{}".utf8))
        }
        return route.handler(request)
    }

    /// Every request, as "METHOD /path", in order.
    var calls: [String] { log.withLock { $0 } }

    /// The requests that change something (token requests excluded).
    var writes: [String] { calls.filter { !$0.hasPrefix("GET ") && !$0.hasSuffix("/oauth2/v2.0/token") } }

    static func json(_ status: Int, _ value: Any) -> HTTPResponse {
        let body = (try? JSONSerialization.data(withJSONObject: value)) ?? Data()
        return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }
}

/// A signal source a test fires by hand.
final class ManualSignals: SignalSource {
    private let handler = Mutex<(@Sendable (String) -> Void)?>(nil)
    func start(_ onSignal: @escaping @Sendable (String) -> Void) { handler.withLock { $0 = onSignal } }
    func fire(_ name: String) { handler.withLock { $0 }?(name) }
}
