import Foundation
import Testing

@testable import RotateCredentialCore

/// Truncated and mutated real responses: what is not JSON makes the decoders throw (or, damaged only where
/// they do not read, return the unmutated value), the same document decodes to the same value, another
/// document throws or decodes as its canonical text does (``Mutations/check(_:sourceLocation:_:)``); never
/// a crash or a hang.
@Suite(.timeLimit(.minutes(2))) struct DecoderFuzzTests {
    static let keyVaultBundle = #"""
        {"value":"mysecretvalue","id":"https://myvault.vault.azure.net/secrets/crpsecret/03bcccc7c8cf4546a0e3e21e52560441","contentType":"text/plain","attributes":{"enabled":true,"exp":1796150400,"created":1493938410,"updated":1493938410,"recoveryLevel":"Recoverable+Purgeable","recoverableDays":90},"tags":{"authorizationId":"x"}}
        """#
    static let keyVaultVersions = #"""
        {"value":[{"id":"https://myvault.vault.azure.net/secrets/listsecrettest/4387e9f3d6e14c459867679a90fd0f79","attributes":{"enabled":true,"created":1493938433,"updated":1493938433,"recoveryLevel":"Recoverable+Purgeable"}}],"nextLink":"https://myvault.vault.azure.net:443/secrets/listsecrettest/versions?api-version=7.2&$skiptoken=abc&maxresults=1"}
        """#
    static let entraToken =
        #"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAiOiJKV1Qi.eyJhdWQiOiJodHRwcyI.c2lnbmF0dXJl"}"#
    static let errorBodies = [
        #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Trace ID: 1","error_codes":[7000215],"timestamp":"2026-01-01 00:00:00Z"}"#,
        #"{"error":{"code":"Conflict","message":"Secret x is deleted","innererror":{"code":"ObjectIsDeletedButRecoverable"}}}"#,
        #"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges","innerError":{"date":"2026-01-01T00:00:00","request-id":"r"}}}"#,
        #"{"$id":"1","innerException":null,"message":"TF400813: not authorized","typeName":"X, Y","typeKey":"UnauthorizedRequestException","errorCode":0,"eventId":3000}"#,
    ]

    static func context(_ body: String, status: Int = 200) -> ServiceContext {
        context(
            transport: FakeTransport { request, _ in
                if request.service == .entra { return FakeTransport.json(200, entraToken) }
                return FakeTransport.json(status, body)
            })
    }

    static func context(transport: FakeTransport) -> ServiceContext {
        let clock = FakeClock()
        let output = PipelineOutput(sink: CapturingSink(), debugEnabled: false)
        let http = HTTPClient(transport: transport, output: output, clock: clock)
        let urls = ServiceURLs(
            authorityHost: URL(string: "https://login.example")!, graph: URL(string: "https://graph.example")!,
            azureDevOpsOrganization: URL(string: "https://dev.example/contoso")!,
            vsspsOrganization: URL(string: "https://vssps.example/contoso")!,
            keyVaultScope: "https://vault.azure.net/.default")
        return ServiceContext(
            http: http, urls: urls, tokens: TokenCache(client: EntraTokenClient(http: http, urls: urls)))
    }

    static let identity = EntraCredential.clientSecret(tenantId: "t", clientId: "c", secret: Secret("s"))

    static func keyVault(_ body: String, status: Int = 200) -> KeyVaultClient {
        KeyVaultClient(
            context: context(body, status: status), vault: URL(string: "https://myvault.vault.azure.net")!,
            credential: identity)
    }

    /// A secret bundle's fields, for comparing decodes.
    struct BundleFields: Equatable {
        var id: String
        var value: Secret
        var contentType: String?
        var tags: [String: String]
        var expires: Date?
        var created: Date?

        init(_ bundle: KeyVaultClient.SecretBundle) {
            (id, value, contentType, tags) = (bundle.id, bundle.value, bundle.contentType, bundle.tags)
            (expires, created) = (bundle.expires, bundle.created)
        }
    }

    /// A version's fields, for comparing decodes.
    struct VersionFields: Equatable {
        var id: String
        var enabled: Bool?
        var times: [Int?]
        var tags: [String: String]?
        var contentType: String?

        init(_ version: KeyVaultClient.SecretVersion) {
            (id, tags, contentType) = (version.id, version.tags, version.contentType)
            enabled = version.attributes?.enabled
            times = [
                version.attributes?.exp, version.attributes?.nbf, version.attributes?.created,
                version.attributes?.updated,
            ]
        }
    }

    @Test func keyVaultSecretBundle() async throws {
        try await Mutations.check(Self.keyVaultBundle) { body in
            BundleFields(try await Self.keyVault(body).getSecret("crpsecret"))
        }
        #expect(try await Self.keyVault(Self.keyVaultBundle).getSecret("crpsecret").contentType == "text/plain")
    }

    @Test func keyVaultVersions() async throws {
        try await Mutations.check(Self.keyVaultVersions) { body in
            // The first page is the answer; the page its nextLink names is the last (empty). A nextLink that
            // names another page gets the same answer again, so a repeated nextLink must end with an error.
            let transport = FakeTransport { request, _ in
                if request.service == .entra { return FakeTransport.json(200, Self.entraToken) }
                return FakeTransport.json(
                    200, request.url.query?.contains("skiptoken=abc") == true ? #"{"value":[]}"# : body)
            }
            let client = KeyVaultClient(
                context: Self.context(transport: transport), vault: URL(string: "https://myvault.vault.azure.net")!,
                credential: Self.identity)
            return try await client.versions("listsecrettest").map(VersionFields.init)
        }
    }

    @Test func entraTokens() async throws {
        try await Mutations.check(Self.entraToken) { body in
            let transport = FakeTransport { _, _ in FakeTransport.json(200, body) }
            let output = PipelineOutput(sink: CapturingSink(), debugEnabled: false)
            let http = HTTPClient(transport: transport, output: output, clock: FakeClock())
            return try await EntraTokenClient(http: http, urls: Self.context("").urls).token(Self.identity, for: .graph)
        }
    }

    @Test func errorBodies() async {
        for original in Self.errorBodies {
            for body in Mutations.of(original) {
                for status in [400, 401, 403, 409, 500] {
                    do {
                        _ = try await Self.keyVault(body, status: status).getSecret("x")
                        Issue.record("an error status must throw")
                    } catch {
                        #expect(!error.description.isEmpty)
                    }
                }
            }
        }
    }

    @Test func jsonValueRoundTrips() async throws {
        try await Mutations.check(#"{"a":[1,2.5,"x",true,null,{"b":{}}],"c":"d"}"#) { body in
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))
            #expect(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value)) == value)
            return value
        }
    }
}
