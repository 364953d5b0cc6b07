import Foundation
import Testing

@testable import RotateCredentialCore

struct AppSecretGraphApplicationClientTests {
    func client(_ transport: FakeTransport) -> GraphApplicationClient {
        let output = PipelineOutput(sink: CapturingSink(), debugEnabled: false)
        let http = HTTPClient(transport: transport, output: output, clock: FakeClock())
        let urls = ServiceURLs(
            authorityHost: URL(string: "https://login.example")!, graph: URL(string: "https://graph.example")!,
            azureDevOpsOrganization: URL(string: "https://ado.example/contoso")!,
            vsspsOrganization: URL(string: "https://vssps.example/contoso")!,
            keyVaultScope: "https://vault.azure.net/.default")
        let context = ServiceContext(
            http: http, urls: urls, tokens: TokenCache(client: EntraTokenClient(http: http, urls: urls)))
        return GraphApplicationClient(context: context, credential: .accessToken(Secret("graph-token")))
    }

    static let body =
        #"{"id":"obj","appId":"app","displayName":"payments","passwordCredentials":[{"keyId":"k1","displayName":"x","startDateTime":"2025-01-01T00:00:00.1234567Z","endDateTime":"2026-01-01T00:00:00Z","secretText":null}]}"#

    @Test func triesTheAppIdFirst() async throws {
        let transport = FakeTransport { _, _ in FakeTransport.json(200, Self.body) }
        let application = try await client(transport).application("app")
        #expect(application.id == "obj")
        #expect(application.passwordCredentials.first?.keyId == "k1")
        #expect(transport.requests.count == 1)
        #expect(transport.requests[0].url.absoluteString.contains("applications(appId='app')"))
    }

    @Test func fallsBackToTheObjectIdOn404() async throws {
        let transport = FakeTransport { request, _ in
            if request.url.absoluteString.contains("appId=") {
                return FakeTransport.json(404, #"{"error":{"code":"Request_ResourceNotFound","message":"no"}}"#)
            }
            return FakeTransport.json(200, Self.body)
        }
        let application = try await client(transport).application("obj")
        #expect(application.appId == "app")
        #expect(transport.requests.count == 2)
        #expect(transport.requests[1].url.path.hasSuffix("/v1.0/applications/obj"))
    }

    @Test func removalOfAnAlreadyRemovedSecretCountsAsDone() async throws {
        let transport = FakeTransport { _, _ in
            FakeTransport.json(
                400,
                #"{"error":{"code":"Request_BadRequest","message":"No password credential found with keyId 'k'."}}"#)
        }
        try await client(transport).removePassword(objectId: "obj", keyId: "k")
        #expect(transport.requests.first?.isIdempotent == true)
    }
}
