import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct PersonalAccessTokenClientTests {
    let urls = ServiceURLs.contoso

    func client(_ transport: FakeTransport, sink: CapturingSink = CapturingSink()) -> PersonalAccessTokenClient {
        let clock = FakeClock()
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        let http = HTTPClient(
            transport: RetryingTransport(transport, clock: clock, log: { _ in }), output: output, clock: clock)
        let context = ServiceContext(
            http: http, urls: urls, tokens: TokenCache(client: EntraTokenClient(http: http, urls: urls)))
        return PersonalAccessTokenClient(context: context, credential: .accessToken(Secret("user-token")))
    }

    static func token(
        _ id: String, _ name: String, token: String = "null",
        targets: String = #"["38aaa865-2c70-4bf7-a308-0c6539c38c1a"]"#
    ) -> String {
        #"{"displayName":"\#(name)","validTo":"2020-12-01T23:46:23.32Z","scope":"app_token","targetAccounts":\#(targets),"validFrom":"2020-11-02T22:56:52.1033333Z","authorizationId":"\#(id)","token":\#(token)}"#
    }

    @Test func listFollowsContinuationTokensWithTheSameFilterUntilEmpty() async throws {
        let transport = FakeTransport { request, index in
            let query = request.url.query ?? ""
            #expect(query.contains("displayFilterOption=active"))
            #expect(query.contains("api-version=7.1-preview.1"))
            switch index {
            case 0:
                #expect(!query.contains("continuationToken"))
                return FakeTransport.json(
                    200, #"{"continuationToken":"abc+1=","patTokens":[\#(Self.token("a", "one"))]}"#)
            case 1:
                #expect(query.contains("continuationToken=abc%2B1%3D") || query.contains("continuationToken=abc%2B1="))
                return FakeTransport.json(
                    200, #"{"continuationToken":"","patTokens":[\#(Self.token("b", "two", targets: "null"))]}"#)
            default:
                Issue.record("no third page expected")
                return FakeTransport.json(200, #"{"patTokens":[]}"#)
            }
        }
        let tokens = try await client(transport).list()
        #expect(tokens.map(\.authorizationId) == ["a", "b"])
        #expect(tokens[1].isGlobal)
        #expect(!tokens[0].isGlobal)
        #expect(transport.requests.count == 2)
        #expect(transport.requests[0].headers["Authorization"] == "Bearer user-token")
    }

    @Test func listStopsWhenTheContinuationTokenIsMissing() async throws {
        let transport = FakeTransport { _, _ in FakeTransport.json(200, #"{"patTokens":[\#(Self.token("a", "one"))]}"#)
        }
        #expect(try await client(transport).list().count == 1)
        #expect(transport.requests.count == 1)
    }

    @Test func decodesSevenDigitFractions() async throws {
        let transport = FakeTransport { _, _ in
            FakeTransport.json(200, #"{"patToken":\#(Self.token("a", "one")),"patTokenError":"none"}"#)
        }
        let token = try await client(transport).get(authorizationId: "a")
        let expected = Timestamp.parse("2020-11-02T22:56:52Z")!.addingTimeInterval(0.1033333)
        #expect(abs(token.validFrom.timeIntervalSince(expected)) < 0.001)
    }

    @Test func anyPatTokenErrorButNoneFailsNamingIt() async throws {
        // A value newer than the 7.1 enum must still be recognised as a failure.
        for code in ["patLifespanPolicyViolation", "globalPATCreationBlocked", "somethingNew"] {
            let transport = FakeTransport { _, _ in
                FakeTransport.json(200, #"{"patToken":null,"patTokenError":"\#(code)"}"#)
            }
            do {
                _ = try await client(transport).create(displayName: "x", scope: "vso.code", validTo: Date())
                Issue.record("expected a failure for \(code)")
            } catch {
                #expect(error.kind == .invalidRequest)
                #expect(error.code == code)
                #expect(error.status == 200)
                #expect(error.description.contains(code))
            }
        }
    }

    @Test func createSendsAllOrgsFalseAndRegistersTheValue() async throws {
        let sink = CapturingSink()
        let transport = FakeTransport { request, _ in
            let body = try! JSONSerialization.jsonObject(with: request.body!) as! [String: Any]
            #expect(body["allOrgs"] as? Bool == false)
            #expect(body["displayName"] as? String == "nightly")
            #expect(request.isIdempotent == false)
            return FakeTransport.json(
                200, #"{"patToken":\#(Self.token("n", "nightly", token: "\"secretvalue123\"")),"patTokenError":"none"}"#
            )
        }
        let created = try await client(transport, sink: sink).create(
            displayName: "nightly", scope: "vso.code", validTo: Date())
        #expect(created.token.authorizationId == "n")
        #expect(created.value.description == "***")
        #expect(sink.lines.contains("##vso[task.setsecret]secretvalue123"))
    }

    @Test func revokeAccepts204And200() async throws {
        for response in [
            Result<HTTPResponse, TransportError>.success(HTTPResponse(status: 204)),
            FakeTransport.json(200, "{}"),
        ] {
            let transport = FakeTransport { request, _ in
                #expect(request.method == .delete)
                #expect(request.url.query?.contains("authorizationId=a") == true)
                return response
            }
            try await client(transport).revoke(authorizationId: "a")
        }
    }

    @Test func revokeRefusedInsideA200Fails() async throws {
        let transport = FakeTransport { _, _ in
            FakeTransport.json(200, #"{"patToken":null,"patTokenError":"authorizationNotFound"}"#)
        }
        await #expect(throws: ServiceError.self) { try await client(transport).revoke(authorizationId: "a") }
    }
}
