import Foundation
import Testing

@testable import RotateCredentialCore

/// Errors as Azure words them (issue #23): each is recognised and gets the advice that fixes it.
@Suite struct AzureWordingTests {
    static func keyVault(_ transport: FakeTransport) -> KeyVaultClient {
        KeyVaultClient(
            context: PagedListTests.context(transport), vault: URL(string: "https://kv-rotation.vault.azure.net")!,
            credential: .accessToken(Secret("kv-token")))
    }

    static func keyVaultError(_ status: Int, code: String, inner: String? = nil) -> Result<HTTPResponse, TransportError>
    {
        let innerPart = inner.map { #","innererror":{"code":"\#($0)"}"# } ?? ""
        return FakeTransport.json(
            status, #"{"error":{"code":"\#(code)","message":"m"\#(innerPart)}}"#, headers: ["x-ms-error-code": code])
    }

    @Test func onlySecretNotFoundMeansAbsent() async throws {
        let absent = FakeTransport { _, _ in Self.keyVaultError(404, code: "SecretNotFound") }
        #expect(try await Self.keyVault(absent).getSecretIfPresent("x") == nil)
        #expect(try await Self.keyVault(absent).versions("x").isEmpty)
        for answer in [
            Self.keyVaultError(404, code: "VaultNotFound"),
            FakeTransport.json(404, "{}"),
            Result<HTTPResponse, TransportError>.success(
                HTTPResponse(status: 404, headers: ["Content-Type": "text/html"], body: Data("<html/>".utf8))),
        ] {
            let other = FakeTransport { _, _ in answer }
            do {
                _ = try await Self.keyVault(other).getSecretIfPresent("x")
                Issue.record("a 404 that is not SecretNotFound must stop the run")
            } catch {
                #expect(error.kind == .notFound)
                #expect(error.advice?.contains("keyVaultName") == true, "\(error)")
            }
            await #expect(throws: ServiceError.self) { _ = try await Self.keyVault(other).versions("x") }
        }
    }

    @Test func aDisabledLatestVersionIsNamedNotAPermission() async throws {
        let transport = FakeTransport { _, _ in Self.keyVaultError(403, code: "Forbidden", inner: "SecretDisabled") }
        do {
            _ = try await Self.keyVault(transport).getSecretIfPresent("x")
            Issue.record("expected a failure")
        } catch {
            #expect(error.code == "SecretDisabled")
            #expect(error.advice?.contains("disabled") == true)
            #expect(error.advice?.contains("role") == false)
        }
    }

    @Test func keyVaultIdsCompareAsTheServiceDefinesThem() {
        let written = "https://kv-rotation.vault.azure.net/secrets/App-Secret/0123456789abcdef0123456789abcdef"
        #expect(KeyVaultClient.sameSecretId(written, written.uppercased()))
        #expect(
            KeyVaultClient.sameSecretId(
                written, "https://KV-ROTATION.vault.azure.net/secrets/app-secret/0123456789ABCDEF0123456789ABCDEF"))
        #expect(!KeyVaultClient.sameSecretId(written, written.replacingOccurrences(of: "0123", with: "9999")))
    }

    @Test(
        arguments: [
            (
                409, "Request_MultipleObjectsWithSameKeyValue",
                "FederatedIdentityCredential with name x already exists.",
                FederatedCredentialClient.Duplicate.name
            ),
            (
                400, "Request_BadRequest",
                "The combination of issuer and subject must be unique for the application. Issuer i and Subject: s already exist.",
                .issuerAndSubject
            ),
            (
                400, "InvalidFederatedIdentityCredentialValue", "… Issuer i and Subject: s already exist. …",
                .issuerAndSubject
            ),
        ] as [(Int, String, String, FederatedCredentialClient.Duplicate)])
    func duplicateCredentialsAreRecognised(
        status: Int, code: String, message: String, expected: FederatedCredentialClient.Duplicate
    ) {
        let error = ServiceError(
            service: .graph, operation: "create", kind: ErrorBody.kind(for: status), status: status, code: code,
            serviceMessage: message)
        #expect(FederatedCredentialClient.duplicate(error) == expected)
        #expect(error.advice != nil)
    }

    @Test func anotherErrorIsNoDuplicate() {
        let error = ServiceError(
            service: .graph, operation: "create", kind: .invalidRequest, status: 400, code: "Request_BadRequest",
            serviceMessage: "Invalid value specified for property 'name'")
        #expect(FederatedCredentialClient.duplicate(error) == nil)
    }

    /// The error of updating connection `prod` when Azure DevOps answers 403 with `body`.
    static func updateRefusal(_ body: String) async throws -> ServiceError {
        let transport = FakeTransport { _, _ in FakeTransport.json(403, body) }
        let endpoint = ServiceEndpoint(
            .object([
                "id": .string("eeeeeeee-0001-4000-8000-000000000001"), "name": .string("prod"),
                "authorization": .object(["scheme": .string("ServicePrincipal")]),
            ]))
        do {
            _ = try await PagedListTests.endpoints(transport).update(endpoint)
        } catch {
            return error
        }
        throw InternalError("the update of prod was expected to fail")
    }

    @Test func anOrganizationLevelRefusalNamesThatRole() async throws {
        let error = try await Self.updateRefusal(
            #"{"message":"You need to be an organization/collection level Administrator of the service endpoint to perform this operation.","typeKey":"AccessCheckException"}"#
        )
        #expect(error.advice?.contains("Organization") == true, "\(error)")
        #expect(error.advice?.contains("organization (collection) level") == true, "\(error)")
    }

    @Test func aProjectLevelRefusalKeepsTheProjectAdvice() async throws {
        let error = try await Self.updateRefusal(
            #"{"message":"Access denied. x needs Administrator role","typeKey":"AccessCheckException"}"#)
        #expect(error.advice?.contains("Project settings > Service connections > prod > Security") == true)
        #expect(error.advice?.contains("organization (collection) level") == false)
    }
}
