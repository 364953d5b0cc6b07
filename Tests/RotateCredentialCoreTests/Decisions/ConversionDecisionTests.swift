import Foundation
import Testing

@testable import RotateCredentialCore

struct ConversionDecisionTests {
    static let entra = "https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/v2.0"
    static let ado = "https://vstoken.dev.azure.com/22222222-2222-2222-2222-222222222222"

    func endpoint(
        type: String = "azurerm", scheme: String = "ServicePrincipal", authenticationType: String = "spnKey",
        creationMode: String = "Manual", issuer: String? = nil, shared: Bool = false, revert: String? = nil
    ) -> ServiceEndpoint {
        var parameters: [String: JSONValue] = ["tenantid": .string("t"), "serviceprincipalid": .string("a")]
        if scheme == "ServicePrincipal" { parameters["authenticationType"] = .string(authenticationType) }
        if let issuer {
            parameters["workloadIdentityFederationIssuer"] = .string(issuer)
            parameters["workloadIdentityFederationSubject"] = .string("sub")
        }
        var data: [String: JSONValue] = ["creationMode": .string(creationMode)]
        if let revert { data["revertSchemeDeadline"] = .string(revert) }
        return ServiceEndpoint(
            .object([
                "id": .string("e1"), "name": .string("payments"), "type": .string(type), "isShared": .bool(shared),
                "authorization": .object(["scheme": .string(scheme), "parameters": .object(parameters)]),
                "data": .object(data),
            ]))
    }

    @Test func secretBasedConnectionsConvert() {
        #expect(ConversionDecision.decide(endpoint(), convertAutomatic: false) == .convert(automatic: false))
        #expect(
            ConversionDecision.decide(endpoint(creationMode: "Automatic"), convertAutomatic: true)
                == .convert(automatic: true))
    }

    @Test func automaticConnectionsFollowTheInput() {
        guard
            case .refuse(let reason) = ConversionDecision.decide(
                endpoint(creationMode: "Automatic"), convertAutomatic: false)
        else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reason.contains("convertAutomaticConnections"))
    }

    @Test func federatedConnectionsByIssuer() {
        let federated = "WorkloadIdentityFederation"
        #expect(
            ConversionDecision.decide(endpoint(scheme: federated, issuer: Self.ado), convertAutomatic: false)
                == .moveIssuer)
        #expect(
            ConversionDecision.decide(endpoint(scheme: federated, issuer: Self.entra), convertAutomatic: false)
                == .federated)
    }

    @Test func aConnectionBusyWithAnotherOperationIsRefusedBeforeAnyChange() {
        for scheme in ["ServicePrincipal", "WorkloadIdentityFederation"] {
            var busy = endpoint(scheme: scheme, issuer: scheme == "ServicePrincipal" ? nil : Self.ado)
            busy.body["operationStatus"] = .object([
                "state": .string("InProgress"), "statusMessage": .string("Updating the service principal"),
            ])
            guard case .refuse(let reason) = ConversionDecision.decide(busy, convertAutomatic: true) else {
                Issue.record("expected a refusal for \(scheme)")
                continue
            }
            #expect(reason.contains("another operation"))
        }
        var converting = endpoint()
        converting.body["operationStatus"] = .object([
            "state": .string("InProgress"), "statusMessage": .string("converting_scheme"),
        ])
        #expect(ConversionDecision.decide(converting, convertAutomatic: false) == .convert(automatic: false))
    }

    @Test func refusesWhatCannotBeConverted() {
        for candidate in [
            endpoint(type: "generic"), endpoint(authenticationType: "spnCertificate"), endpoint(shared: true),
            endpoint(scheme: "ManagedServiceIdentity"),
        ] {
            guard case .refuse = ConversionDecision.decide(candidate, convertAutomatic: true) else {
                Issue.record("expected a refusal for \(candidate.body)")
                continue
            }
        }
    }

    @Test func issuersAreClassifiedFromWhatAzureDevOpsStates() {
        #expect(FederationIssuer(Self.entra) == .entra)
        #expect(FederationIssuer(Self.ado) == .azureDevOps)
        #expect(FederationIssuer("https://login.microsoftonline.us/t/v2.0") == .other)
    }

    @Test func recordOnTheCredentialGivesTheConversionTime() {
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let federated = endpoint(scheme: "WorkloadIdentityFederation", issuer: Self.entra)
        let text = FederatedCredentialRecord.description(for: federated, created: created, replaces: "old-one")
        let credential = FederatedIdentityCredential(name: "n", issuer: Self.entra, subject: "sub", description: text)
        #expect(FederatedCredentialRecord.created(credential) == created)
        #expect(FederatedCredentialRecord.replaces(credential) == "old-one")
        #expect(ConversionTime.of(federated, credentials: [credential]) == created)
        #expect(ConversionTime.elapsed(created, graceHours: 24, now: created.addingTimeInterval(24 * 3600)))
        #expect(!ConversionTime.elapsed(created, graceHours: 24, now: created.addingTimeInterval(3600)))
        #expect(!ConversionTime.elapsed(nil, graceHours: 0, now: created))
    }

    @Test func revertDeadlineGivesTheConversionTimeWithoutARecord() {
        let federated = endpoint(
            scheme: "WorkloadIdentityFederation", issuer: Self.entra, revert: "2026-12-07T10:00:00.0000000Z")
        #expect(ConversionTime.of(federated, credentials: []) == Timestamp.parse("2026-11-30T10:00:00Z"))
    }
}

struct FederationInputTests {
    func errors(_ values: [String: String]) -> [InputError] {
        do {
            _ = try ConfigurationLoader.load(environment: values)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func convertNeedsConnectionsAnIdentityAndAProject() {
        let problems = errors(["INPUT_ACTION": "service-connection-convert", "INPUT_ORGANIZATION": "contoso"])
        let inputs = Set(problems.map(\.input))
        #expect(inputs.isSuperset(of: ["serviceConnections", "azureSubscription", "project"]))
    }

    @Test func removeSecretIsOnlyForConvert() {
        let problems = errors([
            "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso",
            "INPUT_PATOWNERACCESSTOKEN": "fixture-access-token",
            "INPUT_REMOVESECRETAFTERCONVERSION": "true",
        ])
        #expect(problems.map(\.input) == ["removeSecretAfterConversion"])
    }
}
