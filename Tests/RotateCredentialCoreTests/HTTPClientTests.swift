import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct HTTPClientTests {
    let url = URL(string: "https://vssps.dev.azure.com/contoso/_apis/tokens/pats")!

    func client(_ transport: FakeTransport, sink: CapturingSink = CapturingSink(), debug: Bool = false) -> HTTPClient {
        let clock = FakeClock()
        let output = PipelineOutput(sink: sink, debugEnabled: debug)
        return HTTPClient(
            transport: RetryingTransport(transport, clock: clock, log: { _ in }), output: output, clock: clock)
    }

    func failure(_ transport: FakeTransport, service: ServiceKind = .azureDevOps) async -> ServiceError? {
        let request = HTTPRequest(.get, url, service: service, operation: "list PATs")
        do {
            _ = try await client(transport).send(
                request, authorization: .bearer(Secret("t"), credential: "the PAT owner's token"))
            return nil
        } catch {
            return error
        }
    }

    @Test func signInPageIsAnAuthenticationFailureNamingTheCredential() async throws {
        let transport = FakeTransport { _, _ in
            .success(
                HTTPResponse(
                    status: 203, headers: ["Content-Type": "text/html"], body: Data("<html>Sign in</html>".utf8)))
        }
        let error = try #require(await failure(transport))
        #expect(error.kind == .authentication)
        #expect(error.description.contains("the PAT owner's token"))
        #expect(transport.requests[0].headers["X-TFS-FedAuthRedirect"] == "Suppress")
    }

    @Test func htmlWithStatus200IsAnAuthenticationFailure() async throws {
        let transport = FakeTransport { _, _ in
            .success(HTTPResponse(status: 200, headers: ["Content-Type": "text/html"], body: Data("<html/>".utf8)))
        }
        #expect(await failure(transport)?.kind == .authentication)
    }

    @Test func decodesEntraErrors() async throws {
        let body =
            #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Trace ID: x Correlation ID: y","error_codes":[7000215]}"#
        let transport = FakeTransport { _, _ in FakeTransport.json(401, body) }
        let error = try #require(await failure(transport, service: .entra))
        #expect(error.code == "AADSTS7000215")
        #expect(error.kind == .authentication)
        #expect(!(error.serviceMessage ?? "").contains("Trace ID"))
    }

    @Test func decodesKeyVaultInnerCodes() async throws {
        let body =
            #"{"error":{"code":"Conflict","message":"Secret x is currently in a deleted but recoverable state","innererror":{"code":"ObjectIsDeletedButRecoverable"}}}"#
        let transport = FakeTransport { _, _ in FakeTransport.json(409, body, headers: ["x-ms-request-id": "req-1"]) }
        let error = try #require(await failure(transport, service: .keyVault))
        #expect(error.code == "ObjectIsDeletedButRecoverable")
        #expect(error.description.contains("purge"))
        #expect(error.description.contains("x-ms-request-id: req-1"))
    }

    @Test func decodesAzureDevOpsTypeKey() async throws {
        let body =
            #"{"$id":"1","message":"TF400813: not authorized","typeKey":"UnauthorizedRequestException","errorCode":0}"#
        let transport = FakeTransport { _, _ in FakeTransport.json(401, body) }
        let error = try #require(await failure(transport))
        #expect(error.code == "UnauthorizedRequestException")
    }

    @Test func debugLinesNeverCarryTheAuthorizationHeader() async throws {
        let sink = CapturingSink()
        let transport = FakeTransport { _, _ in FakeTransport.json(200, "{}", headers: ["ActivityId": "act-1"]) }
        let request = HTTPRequest(.get, url, service: .azureDevOps, operation: "list")
        _ = try await client(transport, sink: sink, debug: true)
            .send(request, authorization: .basic(user: "", Secret("pat-value-123"), credential: "a PAT"))
        #expect(sink.lines.contains { $0.hasPrefix("##[debug]GET") && $0.contains("activityid: act-1") })
        #expect(!sink.text.contains("pat-value-123"))
        let base64 = Data(":pat-value-123".utf8).base64EncodedString()
        #expect(sink.lines.first == "##vso[task.setsecret]\(base64)")
    }
}
