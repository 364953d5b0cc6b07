import Foundation
import Testing

@testable import RotateCredentialCore

/// Every list the task reads follows its paging (issue #23): Core - Projects - List behind
/// `x-ms-continuationtoken`, service endpoints with `includeFailed`, Graph collections behind
/// `@odata.nextLink` (PAT and Key Vault version pages have their own tests).
@Suite struct PagedListTests {
    static func context(_ transport: FakeTransport) -> ServiceContext {
        let clock = FakeClock()
        let output = PipelineOutput(sink: CapturingSink(), debugEnabled: false)
        let http = HTTPClient(transport: transport, output: output, clock: clock)
        let urls = ServiceURLs.contoso
        return ServiceContext(
            http: http, urls: urls, tokens: TokenCache(client: EntraTokenClient(http: http, urls: urls)))
    }

    static func endpoints(_ transport: FakeTransport) -> ServiceEndpointClient {
        ServiceEndpointClient(
            context: context(transport), credential: .systemAccessToken(Secret("job-token")), project: "Platform")
    }

    static func projects(_ names: [String]) -> String {
        let values = names.map { #"{"id":"\#(UUID().uuidString)","name":"\#($0)","state":"wellFormed"}"# }
        return #"{"count":\#(names.count),"value":[\#(values.joined(separator: ","))]}"#
    }

    @Test func projectsFollowTheContinuationHeaderUntilItIsGone() async throws {
        let transport = FakeTransport { request, index in
            let query = request.url.query ?? ""
            #expect(query.contains("%24top=100") || query.contains("$top=100"))
            switch index {
            case 0:
                #expect(!query.contains("continuationToken"))
                return FakeTransport.json(
                    200, Self.projects((1...100).map { "p\($0)" }), headers: ["x-ms-continuationtoken": "100"])
            case 1:
                #expect(query.contains("continuationToken=100"))
                return FakeTransport.json(200, Self.projects((101...130).map { "p\($0)" }))
            default:
                Issue.record("no third page expected")
                return FakeTransport.json(200, Self.projects([]))
            }
        }
        let names = try await Self.endpoints(transport).projectNames()
        #expect(names.count == 130)
        #expect(names.last == "p130")
        #expect(transport.requests.count == 2)
    }

    @Test func aContinuationTokenSeenTwiceStopsTheList() async throws {
        let transport = FakeTransport { _, _ in
            FakeTransport.json(200, Self.projects(["a"]), headers: ["x-ms-continuationtoken": "1"])
        }
        do {
            _ = try await Self.endpoints(transport).projectNames()
            Issue.record("expected a failure")
        } catch {
            #expect(error.kind == .malformedResponse)
            #expect(transport.requests.count == 2)
        }
    }

    @Test func connectionListsIncludeFailedOnes() async throws {
        let transport = FakeTransport { _, _ in FakeTransport.json(200, #"{"count":0,"value":[]}"#) }
        let client = Self.endpoints(transport)
        _ = try await client.allEndpoints(type: "azurerm")
        _ = try await client.endpoints(named: ["a", "b"])
        for request in transport.requests {
            #expect(request.url.query?.contains("includeFailed=true") == true, "\(request.url)")
        }
    }

    static func credential(_ name: String) -> String {
        #"{"id":"\#(name)-id","name":"\#(name)","issuer":"https://i","subject":"s-\#(name)","audiences":["api://AzureADTokenExchange"]}"#
    }

    @Test func federatedCredentialsFollowTheNextLink() async throws {
        let next = "https://graph.microsoft.com/v1.0/applications/obj/federatedIdentityCredentials?$skiptoken=Mg"
        let transport = FakeTransport { request, index in
            if index == 0 {
                return FakeTransport.json(
                    200, #"{"value":[\#(Self.credential("a")),\#(Self.credential("b"))],"@odata.nextLink":"\#(next)"}"#)
            }
            #expect(request.url.absoluteString == next)
            return FakeTransport.json(200, #"{"value":[\#(Self.credential("c"))]}"#)
        }
        let client = FederatedCredentialClient(
            context: Self.context(transport), credential: .accessToken(Secret("graph-token")))
        let credentials = try await client.list(objectId: "obj")
        #expect(credentials.map(\.name) == ["a", "b", "c"])
        #expect(transport.requests.allSatisfy { $0.headers["Authorization"] == "Bearer graph-token" })
    }

    @Test func aNextLinkToAnotherHostIsNotFollowed() async throws {
        let transport = FakeTransport { _, _ in
            FakeTransport.json(
                200, #"{"value":[\#(Self.credential("a"))],"@odata.nextLink":"https://elsewhere.example/page2"}"#)
        }
        let client = FederatedCredentialClient(
            context: Self.context(transport), credential: .accessToken(Secret("graph-token")))
        await #expect(throws: ServiceError.self) { _ = try await client.list(objectId: "obj") }
        #expect(transport.requests.count == 1)
    }
}

/// Key Vault secret versions come 25 at most a page, behind `nextLink` (keyvault-secrets-7.5 `GetSecretVersions`).
@Suite struct KeyVaultVersionPagesTests {
    @Test func versionsFollowTheNextLinkOnTheVault() async throws {
        let vault = "https://kv-rotation.vault.azure.net"
        let next = "\(vault):443/secrets/app/versions?api-version=7.5&$skiptoken=abc&maxresults=25"
        let transport = FakeTransport { request, index in
            if index == 0 {
                #expect(request.url.query?.contains("maxresults=25") == true)
                let page = (0..<25).map { #"{"id":"\#(vault)/secrets/app/v\#($0)","attributes":{"enabled":true}}"# }
                return FakeTransport.json(200, #"{"value":[\#(page.joined(separator: ","))],"nextLink":"\#(next)"}"#)
            }
            #expect(request.url.absoluteString == next)
            return FakeTransport.json(200, #"{"value":[{"id":"\#(vault)/secrets/app/v25"}],"nextLink":null}"#)
        }
        let client = KeyVaultClient(
            context: PagedListTests.context(transport), vault: URL(string: vault)!,
            credential: .accessToken(Secret("kv-token")))
        let versions = try await client.versions("app")
        #expect(versions.count == 26)
        #expect(transport.requests.count == 2)
    }
}
