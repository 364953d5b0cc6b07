import Foundation
import Testing

@testable import RotateCredentialCore

/// pat-owner-login's pieces without a network: PKCE, the device-code polling rules, the inputs.
@Suite struct PatOwnerSignInTests {
    static let tenant = "11111111-1111-1111-1111-111111111111"
    static let client = "22222222-2222-2222-2222-222222222222"
    static let loginEnvironment = [
        "INPUT_ACTION": "pat-owner-login", "INPUT_ORGANIZATION": "contoso", "INPUT_TENANTID": tenant,
        "INPUT_CLIENTID": client, "INPUT_CLIENTSECRET": "kv-secret", "INPUT_KEYVAULTNAME": "kv-rotation",
        "INPUT_PATOWNERREFRESHTOKENSECRET": "pat-owner-session",
    ]

    func errors(_ environment: [String: String]) -> [String] {
        do throws(InputErrors) {
            _ = try ConfigurationLoader.load(environment: environment)
            return []
        } catch {
            return error.errors.map(\.input)
        }
    }

    @Test func sha256AndTheRFC7636Example() {
        #expect(
            SHA256.hash(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined()
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 7636 appendix B.
        #expect(
            ProofKey(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").challenge
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let fresh = ProofKey()
        #expect(fresh.verifier.exposedValue.count == 86)
        #expect(fresh.challenge != ProofKey().challenge)
    }

    @Test func redirectQueryAndTokenClaims() {
        let query = LoopbackRedirectListener.query(of: "GET /?code=abc%2Bd&state=s1&session_state=x HTTP/1.1")
        #expect(query["code"] == "abc+d")
        #expect(query["state"] == "s1")
        let payload = ProofKey.base64URL(Array(#"{"upn":"bot@contoso.com","tid":"t1","oid":"o1"}"#.utf8))
        let claims = AccessTokenClaims(Secret("e30.\(payload).sig"))
        #expect(claims.user == "bot@contoso.com")
        #expect(claims.tenantId == "t1")
        #expect(AccessTokenClaims(Secret("opaque")).user == nil)
    }

    @Test func loginInputs() {
        #expect(errors(Self.loginEnvironment) == [])
        // A workstation with only the public client: the owner's own sign-in writes the vault.
        var publicClientOnly = Self.loginEnvironment
        publicClientOnly["INPUT_CLIENTSECRET"] = nil
        #expect(errors(publicClientOnly) == [])
        var missing = Self.loginEnvironment
        missing["INPUT_PATOWNERREFRESHTOKENSECRET"] = nil
        missing["INPUT_CLIENTID"] = nil
        #expect(Set(errors(missing)).isSuperset(of: ["clientId", "patOwnerRefreshTokenSecret"]))
        var onAgent = Self.loginEnvironment
        onAgent["INPUT_SIGNINFLOW"] = "browser"
        #expect(errors(onAgent) == [])
        onAgent["TF_BUILD"] = "True"
        #expect(errors(onAgent) == ["signInFlow"])
    }

    @Test func sessionInputsForPatActions() throws {
        var session = Self.loginEnvironment
        session["INPUT_ACTION"] = "pat-list"
        let configuration = try ConfigurationLoader.load(environment: session)
        #expect(configuration.identities.patOwnerSignIn?.secretName == "pat-owner-session")
        #expect(configuration.identities.patOwner == nil)
        session["INPUT_PATOWNERACCESSTOKEN"] = "an-access-token"
        #expect(errors(session) == ["patOwnerRefreshTokenSecret"])
        var noVault = Self.loginEnvironment
        noVault["INPUT_ACTION"] = "pat-rotate"
        noVault["INPUT_TOKENDISPLAYNAMES"] = "x"
        noVault["INPUT_KEYVAULTNAME"] = nil
        noVault["INPUT_CLIENTSECRET"] = nil
        #expect(Set(errors(noVault)).isSuperset(of: ["keyVaultName", "azureSubscription"]))
        // pat-owner-login signs the owner in and acts as no owner: the session rule of the PAT
        // actions is not among its requirements.
        var login = Self.loginEnvironment
        login["INPUT_PATOWNERACCESSTOKEN"] = "an-access-token"
        #expect(errors(login) == [])
    }

    // MARK: - device-code polling

    func context(_ transport: FakeTransport, clock: FakeClock, sink: CapturingSink) throws -> ActionContext {
        let configuration = try ConfigurationLoader.load(environment: Self.loginEnvironment)
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        let http = HTTPClient(
            transport: RetryingTransport(transport, clock: clock, log: { _ in }), output: output, clock: clock)
        let services = ServiceContext(
            http: http, urls: configuration.urls,
            tokens: TokenCache(client: EntraTokenClient(http: http, urls: configuration.urls)))
        return ActionContext(
            configuration: configuration, output: output, clock: clock, services: services, files: MemoryFileWriter(),
            cancellation: Cancellation())
    }

    static func polling(_ answers: [String]) -> FakeTransport {
        FakeTransport { request, index in
            if request.url.path.hasSuffix("/devicecode") {
                return FakeTransport.json(
                    200,
                    #"{"device_code":"DC-secret","user_code":"ABCD2345","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5}"#
                )
            }
            let answer = answers[min(index - 1, answers.count - 1)]
            if answer == "ok" {
                return FakeTransport.json(200, #"{"token_type":"Bearer","access_token":"AT","refresh_token":"RT"}"#)
            }
            return FakeTransport.json(
                400, #"{"error":"\#(answer)","error_description":"AADSTS70016: x","error_codes":[70016]}"#)
        }
    }

    func signIn(_ answers: [String], clock: FakeClock = FakeClock()) async throws -> (
        EntraUserTokenClient.UserTokens, CapturingSink
    ) {
        let sink = CapturingSink()
        let context = try context(Self.polling(answers), clock: clock, sink: sink)
        let entra = EntraUserTokenClient(http: context.services.http, urls: context.services.urls)
        let tokens = try await DeviceCodeSignIn(
            entra: entra, tenant: Self.tenant, client: Self.client, context: context
        ).run()
        return (tokens, sink)
    }

    @Test func pollsPerProtocolAndShowsTheUserCodeOnly() async throws {
        let clock = FakeClock()
        let (tokens, sink) = try await signIn(["authorization_pending", "slow_down", "ok"], clock: clock)
        #expect(clock.sleeps == [5, 5, 10])
        #expect(tokens.refreshToken == Secret("RT"))
        #expect(sink.text.contains("enter the code ABCD2345"))
        #expect(sink.lines.filter { $0.contains("DC-secret") }.allSatisfy { $0.hasPrefix("##vso[task.setsecret]") })
    }

    @Test func expiredAndDeclinedStop() async {
        await #expect(throws: PatOwnerSessionFailure.signInExpired(minutes: 15)) { try await signIn(["expired_token"]) }
        await #expect(throws: PatOwnerSessionFailure.self) { try await signIn(["authorization_declined"]) }
        await #expect(throws: PatOwnerSessionFailure.self) { try await signIn(["access_denied"]) }
    }

    @Test func refreshErrorsNameTheirFix() {
        let failure = PatOwnerSessionFailure.signInAgain(
            code: "AADSTS700082", meaning: PatOwnerSessionFailure.signInAgainCodes["AADSTS700082"]!,
            secretName: "s", pipeline: "PAT owner sign-in")
        #expect(failure.description.contains("run the pat-owner-login pipeline again ('PAT owner sign-in')"))
        for code in [
            "AADSTS700082", "AADSTS50173", "AADSTS50133", "AADSTS70043", "AADSTS50076", "AADSTS50079", "AADSTS65001",
        ] {
            #expect(PatOwnerSessionFailure.signInAgainCodes[code] != nil, "\(code)")
        }
    }
}
