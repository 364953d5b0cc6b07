import Foundation
import Testing

@testable import RotateCredentialCore

struct AppSecretServiceConnectionChangeTests {
    static let appId = "aaaaaaaa-0003-4000-8000-000000000003"

    func endpoint(scheme: String = "ServicePrincipal", creationMode: String = "Manual", principal: String = appId)
        -> ServiceEndpoint
    {
        let json = """
            {"id":"e1","name":"payments","type":"azurerm","url":"https://management.azure.com/","isShared":false,
             "authorization":{"scheme":"\(scheme)","parameters":{"tenantid":"t","serviceprincipalid":"\(principal)","authenticationType":"spnKey"}},
             "data":{"subscriptionId":"s","creationMode":"\(creationMode)","spnObjectId":"sp","appObjectId":"ao","azureSpnRoleAssignmentId":"r"},
             "serviceEndpointProjectReferences":[{"projectReference":{"id":"p","name":"Platform"},"name":"payments","description":""}],
             "futureField":{"nested":[1,2.5,"x",null,true]}}
            """
        return ServiceEndpoint(try! JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)))
    }

    @Test func manualConnectionIsUpdatedKeepingEveryField() throws {
        let original = endpoint()
        guard
            case .update(let chosen, let converts) = ServiceConnectionChange.decide(
                original, appId: Self.appId, convertAutomatic: false, allowForeign: false)
        else {
            Issue.record("expected an update")
            return
        }
        #expect(!converts)
        let updated = ServiceConnectionChange.withKey(chosen, key: Secret("new-secret"), convertAutomatic: false)
        #expect(updated.parameter("serviceprincipalkey") == "new-secret")
        #expect(updated.authenticationType == "spnKey")
        var withoutKey = updated.body
        var parameters = withoutKey["authorization"]!["parameters"]!
        parameters["serviceprincipalkey"] = nil
        withoutKey["authorization"]!["parameters"] = parameters
        #expect(withoutKey == original.body)
    }

    @Test func automaticConnectionIsRefusedUnlessConversionIsAllowed() {
        let automatic = endpoint(creationMode: "Automatic")
        guard
            case .refuse(_, let reason) = ServiceConnectionChange.decide(
                automatic, appId: Self.appId, convertAutomatic: false, allowForeign: false)
        else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reason.contains("convertAutomaticConnections"))
        guard
            case .update(_, true) = ServiceConnectionChange.decide(
                automatic, appId: Self.appId, convertAutomatic: true, allowForeign: false)
        else {
            Issue.record("expected a conversion")
            return
        }
        let converted = ServiceConnectionChange.withKey(automatic, key: Secret("k"), convertAutomatic: true)
        #expect(converted.creationMode == "Manual")
        #expect(converted.body["data"]?["spnObjectId"] == nil)
        #expect(converted.body["data"]?["appObjectId"] == nil)
        #expect(converted.body["data"]?["azureSpnRoleAssignmentId"] == .string("r"))
        #expect(
            converted.body["serviceEndpointProjectReferences"] == automatic.body["serviceEndpointProjectReferences"])
    }

    @Test func workloadIdentityIsSkippedAndForeignRefused() {
        guard
            case .skipWorkloadIdentity = ServiceConnectionChange.decide(
                endpoint(scheme: "WorkloadIdentityFederation"), appId: Self.appId, convertAutomatic: false,
                allowForeign: false)
        else {
            Issue.record("expected a skip")
            return
        }
        let foreign = endpoint(principal: "aaaaaaaa-0004-4000-8000-000000000004")
        guard
            case .refuse = ServiceConnectionChange.decide(
                foreign, appId: Self.appId, convertAutomatic: false, allowForeign: false)
        else {
            Issue.record("expected a refusal")
            return
        }
        guard
            case .update = ServiceConnectionChange.decide(
                foreign, appId: Self.appId, convertAutomatic: false, allowForeign: true)
        else {
            Issue.record("expected an update when forced")
            return
        }
    }
}
