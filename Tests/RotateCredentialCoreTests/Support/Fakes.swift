import Foundation
import Synchronization

@testable import RotateCredentialCore

/// Collects output lines.
final class CapturingSink: OutputSink {
    private let storage = Mutex<[String]>([])
    func writeLine(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
    var text: String { lines.joined(separator: "\n") }
}

/// A clock that never really waits and records the waits asked for.
final class FakeClock: WallClock {
    private let state: Mutex<(now: Date, sleeps: [Double])>
    init(now: Date = Date(timeIntervalSince1970: 1_800_000_000)) { state = Mutex((now, [])) }
    func now() -> Date { state.withLock { $0.now } }
    func sleep(seconds: Double) async throws {
        state.withLock {
            $0.sleeps.append(seconds)
            $0.now = $0.now.addingTimeInterval(seconds)
        }
    }
    var sleeps: [Double] { state.withLock { $0.sleeps } }
}

/// A transport answering from a handler and recording requests.
final class FakeTransport: HTTPTransport {
    typealias Handler = @Sendable (HTTPRequest, Int) -> Result<HTTPResponse, TransportError>
    private let handler: Handler
    private let recorded = Mutex<[HTTPRequest]>([])
    init(_ handler: @escaping Handler) { self.handler = handler }
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let index = recorded.withLock {
            $0.append(request)
            return $0.count - 1
        }
        return try handler(request, index).get()
    }
    var requests: [HTTPRequest] { recorded.withLock { $0 } }

    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Result<
        HTTPResponse, TransportError
    > {
        var all = headers
        all["Content-Type"] = "application/json; charset=utf-8"
        return .success(HTTPResponse(status: status, headers: all, body: Data(body.utf8)))
    }
}

/// Files written, in memory.
final class MemoryFileWriter: FileWriter {
    private let storage = Mutex<[String: Data]>([:])
    func write(_ data: Data, to path: String) throws { storage.withLock { $0[path] = data } }
    var files: [String: Data] { storage.withLock { $0 } }
}

/// A thread-safe list of events, for closures that record what ran.
final class Recorder: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ event: String) { storage.withLock { $0.append(event) } }
    var events: [String] { storage.withLock { $0 } }
}

extension ServiceURLs {
    /// The public cloud's endpoints for organization `contoso`.
    static let contoso = ServiceURLs(
        authorityHost: URL(string: "https://login.microsoftonline.com")!,
        graph: URL(string: "https://graph.microsoft.com")!,
        azureDevOpsOrganization: URL(string: "https://dev.azure.com/contoso")!,
        vsspsOrganization: URL(string: "https://vssps.dev.azure.com/contoso")!,
        keyVaultScope: "https://vault.azure.net/.default")
}
