import Foundation
import Testing

@testable import RotateCredentialCore

/// How a connection's scheme and `operationStatus` read during a conversion, and what comes next
/// (issue #23: Azure DevOps test-authenticates first and may finish in the background).
@Suite struct ConversionStateTests {
    static func endpoint(scheme: String, state: String?, message: String? = nil) -> ServiceEndpoint {
        var body: [String: JSONValue] = [
            "id": .string("eeeeeeee-0001-4000-8000-000000000001"), "name": .string("prod"),
            "authorization": .object(["scheme": .string(scheme)]),
        ]
        if let state {
            body["operationStatus"] = .object(["state": .string(state), "statusMessage": .string(message ?? "")])
        }
        return ServiceEndpoint(.object(body))
    }

    @Test(
        arguments: [
            ("WorkloadIdentityFederation", "Ready", "", ConversionState.converted, false, ConversionState.Next.done),
            ("WorkloadIdentityFederation", nil, nil, .converted, false, .done),
            ("ServicePrincipal", "InProgress", "converting_scheme", .converting, true, .wait),
            ("ServicePrincipal", "InProgress", "converting_scheme", .converting, false, .wait),
            ("ServicePrincipal", "Failed", "converting_scheme_failed", .testFailed, true, .send),
            ("ServicePrincipal", "Failed", "converting_scheme_failed", .testFailed, false, .send),
            (
                "ServicePrincipal", "InProgress", "Updating the service principal",
                .busy("Updating the service principal"), false, .stop
            ),
            ("WorkloadIdentityFederation", "InProgress", "Deleting", .busy("Deleting"), false, .stop),
            ("ServicePrincipal", "Ready", "", .notConverted, false, .send),
            ("ServicePrincipal", "Ready", "", .notConverted, true, .stop),
            ("ServicePrincipal", "Failed", "Failed to verify the service connection", .notConverted, false, .send),
        ] as [(String, String?, String?, ConversionState, Bool, ConversionState.Next)])
    func reads(
        scheme: String, state: String?, message: String?, expected: ConversionState, sent: Bool,
        next: ConversionState.Next
    ) {
        let read = ConversionState.of(Self.endpoint(scheme: scheme, state: state, message: message))
        #expect(read == expected)
        #expect(read.next(sent: sent) == next)
    }
}
