import Foundation
import Testing

@testable import RotateCredentialCore

/// The JSON of report entries, key for key: entries are made of parts, the JSON stays one flat object.
struct ReportEntryJSONTests {
    static let issuer = "https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/v2.0"

    func endpoint(scheme: String, issuer: String? = nil) -> ServiceEndpoint {
        var parameters: [String: JSONValue] = ["serviceprincipalid": .string("app-1")]
        if scheme == "ServicePrincipal" { parameters["authenticationType"] = .string("spnKey") }
        if let issuer {
            parameters["workloadIdentityFederationIssuer"] = .string(issuer)
            parameters["workloadIdentityFederationSubject"] = .string("sc://org/project/payments")
        }
        return ServiceEndpoint(
            .object([
                "id": .string("e1"), "name": .string("payments"), "type": .string("azurerm"), "isReady": .bool(true),
                "authorization": .object(["scheme": .string(scheme), "parameters": .object(parameters)]),
                "data": .object([
                    "creationMode": .string("Manual"), "revertSchemeDeadline": .string("2026-12-24T10:00:00Z"),
                ]),
                "operationStatus": .object(["state": .string("Ready")]),
            ]))
    }

    func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSON.encoder().encode(value), as: UTF8.self)
    }

    @Test func listedConnectionsStateTheIssuerOnlyWhenFederated() throws {
        let secret = ConnectionInventory.Row(endpoint(scheme: "ServicePrincipal", issuer: Self.issuer))
        #expect(
            try json(secret)
                == #"{"advice":"convert","applicationId":"app-1","authenticationType":"spnKey","creationMode":"Manual","id":"e1","isReady":true,"name":"payments","reason":"client secret: service-connection-convert removes it for good","revertDeadline":"2026-12-24T10:00:00.000Z","scheme":"ServicePrincipal","type":"azurerm"}"#
        )
        let federated = ConnectionInventory.Row(endpoint(scheme: "WorkloadIdentityFederation", issuer: Self.issuer))
        #expect(
            try json(federated)
                == #"{"advice":"none","applicationId":"app-1","creationMode":"Manual","id":"e1","isReady":true,"issuer":"https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/v2.0","issuerKind":"entra","name":"payments","reason":"workload identity federation: no secret to rotate","revertDeadline":"2026-12-24T10:00:00.000Z","scheme":"WorkloadIdentityFederation","subject":"sc://org/project/payments","type":"azurerm"}"#
        )
    }

    @Test func convertedConnectionsStateWhatTheirPlansDid() throws {
        let before = endpoint(scheme: "ServicePrincipal")
        let after = endpoint(scheme: "WorkloadIdentityFederation", issuer: Self.issuer)
        let application = GraphApplication(id: "o", appId: "app-1", displayName: "payments", passwordCredentials: [])
        let policy = ConversionPolicy(convertAutomatic: false, graceHours: 24)
        var outcome = ConversionOutcome(
            initial: ConversionObservation(endpoint: before, application: application, credentials: []))
        #expect(
            try json(ConversionReport.Connection(outcome, policy: policy, dryRun: false))
                == #"{"applicationId":"app-1","decision":"convert","id":"e1","isReady":true,"name":"payments","operationStatus":"Ready","outcome":"up to date (federated)","revertDeadline":"2026-12-24T10:00:00.000Z","scheme":"ServicePrincipal"}"#
        )
        let effects: [StepEffect] = [.converted(after), .connectionRead(after), .proven("proven: exchanged")]
        outcome.record(
            .convert(issuer: Self.issuer, subject: "s"),
            result: PlanOutcome(plan: Plan("p", steps: []), completed: ["convert"], failure: nil, effects: effects))
        outcome.final = outcome.initial.applying(effects)
        #expect(
            try json(ConversionReport.Connection(outcome, policy: policy, dryRun: false))
                == #"{"applicationId":"app-1","decision":"convert","id":"e1","isReady":true,"issuer":"https://login.microsoftonline.com/11111111-1111-1111-1111-111111111111/v2.0","name":"payments","operationStatus":"Ready","outcome":"converted to workload identity federation","proof":"proven: exchanged","revertDeadline":"2026-12-24T10:00:00.000Z","scheme":"WorkloadIdentityFederation","subject":"sc://org/project/payments"}"#
        )
        #expect(outcome.changed && outcome.completed == ["convert"])
    }

    @Test func patEntriesStateTheTokenAndWhatBecameOfIt() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let token = PersonalAccessToken(
            authorizationId: "a1", displayName: "nightly", scope: "vso.code", targetAccounts: ["org"],
            validFrom: start, validTo: start.addingTimeInterval(10 * 86_400))
        var entry = PatReportEntry(token, now: start, outcome: "listed")
        #expect(
            try json(entry)
                == #"{"authorizationId":"a1","daysLeft":10,"displayName":"nightly","global":false,"outcome":"listed","reach":"organization","scope":"vso.code","validFrom":"2027-01-15T08:00:00.000Z","validTo":"2027-01-25T08:00:00.000Z"}"#
        )
        entry.outcome = "rotated"
        entry.detail = "due"
        entry.newAuthorizationId = "a2"
        entry.newValidTo = start.addingTimeInterval(40 * 86_400)
        entry.keyVaultSecretId = "https://vault/secrets/pat/1"
        entry.requestedValidTo = start.addingTimeInterval(41 * 86_400)
        #expect(
            try json(entry)
                == #"{"authorizationId":"a1","daysLeft":10,"detail":"due","displayName":"nightly","global":false,"keyVaultSecretId":"https://vault/secrets/pat/1","newAuthorizationId":"a2","newValidTo":"2027-02-24T08:00:00.000Z","outcome":"rotated","reach":"organization","requestedValidTo":"2027-02-25T08:00:00.000Z","scope":"vso.code","validFrom":"2027-01-15T08:00:00.000Z","validTo":"2027-01-25T08:00:00.000Z"}"#
        )
    }
}
