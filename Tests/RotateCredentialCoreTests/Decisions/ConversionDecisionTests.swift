import Foundation
import Testing

@testable import RotateCredentialCore

struct ConnectionKindTests {
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
        #expect(ConnectionKind.of(endpoint(), convertAutomatic: false) == .secret(automatic: false))
        #expect(
            ConnectionKind.of(endpoint(creationMode: "Automatic"), convertAutomatic: true)
                == .secret(automatic: true))
    }

    @Test func automaticConnectionsFollowTheInput() {
        guard
            case .refused(let reason) = ConnectionKind.of(
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
            ConnectionKind.of(endpoint(scheme: federated, issuer: Self.ado), convertAutomatic: false)
                == .azureDevOpsIssuer)
        #expect(
            ConnectionKind.of(endpoint(scheme: federated, issuer: Self.entra), convertAutomatic: false)
                == .federated)
    }

    @Test func aConnectionBusyWithAnotherOperationIsRefusedBeforeAnyChange() {
        for scheme in ["ServicePrincipal", "WorkloadIdentityFederation"] {
            var busy = endpoint(scheme: scheme, issuer: scheme == "ServicePrincipal" ? nil : Self.ado)
            busy.body["operationStatus"] = .object([
                "state": .string("InProgress"), "statusMessage": .string("Updating the service principal"),
            ])
            guard case .refused(let reason) = ConnectionKind.of(busy, convertAutomatic: true) else {
                Issue.record("expected a refusal for \(scheme)")
                continue
            }
            #expect(reason.contains("another operation"))
        }
        var converting = endpoint()
        converting.body["operationStatus"] = .object([
            "state": .string("InProgress"), "statusMessage": .string("converting_scheme"),
        ])
        #expect(ConnectionKind.of(converting, convertAutomatic: false) == .secret(automatic: false))
    }

    @Test func refusesWhatCannotBeConverted() {
        for candidate in [
            endpoint(type: "generic"), endpoint(authenticationType: "spnCertificate"), endpoint(shared: true),
            endpoint(scheme: "ManagedServiceIdentity"),
        ] {
            guard case .refused = ConnectionKind.of(candidate, convertAutomatic: true) else {
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
        // No grace is no wait, even when two readings of the services' clock differ by a second.
        #expect(ConversionTime.elapsed(created.addingTimeInterval(1), graceHours: 0, now: created))
    }

    @Test func revertDeadlineGivesTheConversionTimeWithoutARecord() {
        let federated = endpoint(
            scheme: "WorkloadIdentityFederation", issuer: Self.entra, revert: "2026-12-07T10:00:00.0000000Z")
        #expect(ConversionTime.of(federated, credentials: []) == Timestamp.parse("2026-11-30T10:00:00Z"))
    }
}

/// The decision table of `service-connection-convert`: one connection's observation in, the one
/// next step out (in the order that keeps it working), and dry runs walked through every round.
@Suite struct ConversionDecisionTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let entra = ConnectionKindTests.entra
    static let ado = ConnectionKindTests.ado
    static let subject = "/eid1/c/pub/t/x/a/y/sc/org/e1"
    static let adoSubject = "sc://contoso/Platform/payments"
    static let policy = ConversionPolicy(convertAutomatic: false, graceHours: 24)

    static func endpoint(
        scheme: String = "ServicePrincipal", issuer: String? = nil, subject: String? = nil, state: String? = nil,
        message: String = "", creationMode: String = "Manual"
    ) -> ServiceEndpoint {
        var parameters: [String: JSONValue] = ["tenantid": .string("t"), "serviceprincipalid": .string("a")]
        if scheme == "ServicePrincipal" { parameters["authenticationType"] = .string("spnKey") }
        if let issuer { parameters["workloadIdentityFederationIssuer"] = .string(issuer) }
        if let subject { parameters["workloadIdentityFederationSubject"] = .string(subject) }
        var body: [String: JSONValue] = [
            "id": .string("e1"), "name": .string("payments"), "type": .string("azurerm"),
            "authorization": .object(["scheme": .string(scheme), "parameters": .object(parameters)]),
            "data": .object(["creationMode": .string(creationMode)]),
        ]
        if let state {
            body["operationStatus"] = .object(["state": .string(state), "statusMessage": .string(message)])
        }
        return ServiceEndpoint(.object(body))
    }

    /// A federated endpoint on `issuer` with its subject.
    static func federated(_ issuer: String = entra, subject: String = subject) -> ServiceEndpoint {
        endpoint(scheme: "WorkloadIdentityFederation", issuer: issuer, subject: subject)
    }

    /// A stated secret-based endpoint (Azure DevOps answered the conversion request).
    static func stated(state: String? = nil, message: String = "") -> ServiceEndpoint {
        endpoint(issuer: entra, subject: subject, state: state, message: message)
    }

    static func credential(
        _ name: String, issuer: String = entra, subject: String = subject, createdHoursAgo: Double? = nil,
        replaces: String? = nil
    ) -> FederatedIdentityCredential {
        let description = createdHoursAgo.map {
            FederatedCredentialRecord.description(
                for: endpoint(), created: now.addingTimeInterval(-$0 * 3_600), replaces: replaces)
        }
        return FederatedIdentityCredential(
            id: "id-\(name)", name: name, issuer: issuer, subject: subject, description: description)
    }

    static func observe(
        _ endpoint: ServiceEndpoint, credentials: [FederatedIdentityCredential] = [], proof: String? = nil,
        convertedThisRun: Bool = false
    ) -> ConversionObservation {
        ConversionObservation(
            endpoint: endpoint,
            application: GraphApplication(id: "o", appId: "a", displayName: "payments", passwordCredentials: []),
            credentials: credentials, proof: proof, convertedThisRun: convertedThisRun)
    }

    /// One row: what the run sees, and the step it must take.
    struct Row: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var observation: ConversionObservation
        var policy = ConversionDecisionTests.policy
        var expected: ConversionDecision
    }

    static let serving = credential("serving")
    static let adoCredential = credential("payments-wif", issuer: ado, subject: adoSubject)
    static let moved = credential("moved", createdHoursAgo: 2, replaces: "payments-wif")
    static let movedLongAgo = credential("moved", createdHoursAgo: 30, replaces: "payments-wif")

    static let rows: [Row] = [
        Row(
            testDescription: "a secret-based connection that states nothing is asked", observation: observe(endpoint()),
            expected: .ask),
        Row(
            testDescription: "stated, without its credential: the credential comes before the conversion",
            observation: observe(stated()), expected: .addCredential(issuer: entra, subject: subject)),
        Row(
            testDescription: "stated, with its credential: convert",
            observation: observe(stated(), credentials: [serving]),
            expected: .convert(issuer: entra, subject: subject)),
        Row(
            testDescription: "Azure DevOps converts in the background: wait",
            observation: observe(
                stated(state: "InProgress", message: "converting_scheme"), credentials: [serving]),
            expected: .awaitConversion),
        Row(
            testDescription: "converting, nothing stated: wait",
            observation: observe(endpoint(state: "InProgress", message: "converting_scheme")),
            expected: .awaitConversion),
        Row(
            testDescription: "converting without the credential: add it first",
            observation: observe(stated(state: "InProgress", message: "converting_scheme")),
            expected: .addCredential(issuer: entra, subject: subject)),
        Row(
            testDescription: "the test sign-in failed in the background: convert again",
            observation: observe(stated(state: "Failed", message: "converting_scheme_failed"), credentials: [serving]),
            expected: .convert(issuer: entra, subject: subject)),
        Row(
            testDescription: "federated without its credential (interrupted, or deleted later): add it",
            observation: observe(federated()), expected: .addCredential(issuer: entra, subject: subject)),
        Row(
            testDescription: "federated with its credential, not proven by this run: prove",
            observation: observe(federated(), credentials: [serving]), expected: .prove),
        Row(
            testDescription: "federated, proven: converged",
            observation: observe(federated(), credentials: [serving], proof: "proven"),
            expected: .converged(keeping: nil)),
        Row(
            testDescription: "on the Azure DevOps issuer: move, keeping its credential",
            observation: observe(federated(ado, subject: adoSubject), credentials: [adoCredential]),
            expected: .moveIssuer(old: adoCredential)),
        Row(
            testDescription: "converted by this run onto the Azure DevOps issuer: the organization just assigned it",
            observation: observe(
                federated(ado, subject: adoSubject), credentials: [adoCredential], convertedThisRun: true),
            expected: .prove),
        Row(
            testDescription: "moved 2 h ago: the old credential stays until graceHours",
            observation: observe(federated(), credentials: [adoCredential, moved], proof: "proven"),
            expected: .converged(
                keeping: KeptCredential(credential: adoCredential, until: now.addingTimeInterval(22 * 3_600)))),
        Row(
            testDescription: "moved 30 h ago: the old credential goes",
            observation: observe(federated(), credentials: [adoCredential, movedLongAgo], proof: "proven"),
            expected: .retireCredential(adoCredential)),
        Row(
            testDescription: "the old credential goes only after the new one is proven",
            observation: observe(federated(), credentials: [adoCredential, movedLongAgo]), expected: .prove),
        Row(
            testDescription: "a credential without the task's record names nothing it replaced",
            observation: observe(
                federated(), credentials: [adoCredential, credential("serving", createdHoursAgo: nil)], proof: "p"),
            expected: .converged(keeping: nil)),
        Row(
            testDescription: "another operation runs on it: stop, run again later",
            observation: observe(stated(state: "InProgress", message: "Updating"), credentials: [serving]),
            expected: .fail(.federation(.busy(name: "payments", message: "Updating")))),
        Row(
            testDescription: "federated without an issuer: stop, naming what is missing",
            observation: observe(endpoint(scheme: "WorkloadIdentityFederation")),
            expected: .fail(
                .federation(
                    .incomplete(
                        name: "payments",
                        missing: "workloadIdentityFederationIssuer or workloadIdentityFederationSubject")))),
        Row(
            testDescription: "an Automatic connection converts only with convertAutomaticConnections",
            observation: observe(endpoint(creationMode: "Automatic")),
            policy: ConversionPolicy(convertAutomatic: true, graceHours: 24), expected: .ask),
    ]

    @Test(arguments: rows) func decides(_ row: Row) {
        #expect(ConversionDecision.decide(row.observation, policy: row.policy, now: Self.now) == row.expected)
    }

    @Test func anAutomaticConnectionWithoutTheInputIsRefused() {
        let decision = ConversionDecision.decide(
            Self.observe(Self.endpoint(creationMode: "Automatic")), policy: Self.policy, now: Self.now)
        guard case .fail(.federation(.refused(_, let reason))) = decision else {
            Issue.record("expected a refusal, got \(decision)")
            return
        }
        #expect(reason.contains("convertAutomaticConnections"))
        #expect(decision.failure?.isTerminal == true)
    }

    /// Decides and simulates until the loop would stop, as a dry run does.
    static func dryRun(_ first: ConversionObservation, policy: ConversionPolicy = policy) -> [ConversionDecision] {
        var observation: ConversionObservation? = first
        var decisions: [ConversionDecision] = []
        while let current = observation, decisions.count < 10 {
            let decision = ConversionDecision.decide(current, policy: policy, now: now)
            decisions.append(decision)
            observation = ConversionSimulation(now: now).after(decision, observation: current)
        }
        return decisions
    }

    @Test func aDryRunListsEveryStepOfAConversion() {
        let issuer = ConversionSimulation.statedIssuer
        let subject = ConversionSimulation.statedSubject
        #expect(
            Self.dryRun(Self.observe(Self.endpoint())) == [
                .ask, .addCredential(issuer: issuer, subject: subject), .convert(issuer: issuer, subject: subject),
                .converged(keeping: nil),
            ])
    }

    @Test func aDryRunOfAnIssuerMoveReachesTheOldCredentialsRetirement() {
        let old = Self.adoCredential
        let start = Self.observe(Self.federated(Self.ado, subject: Self.adoSubject), credentials: [old])
        let kept = Self.dryRun(start)
        #expect(kept.first == .moveIssuer(old: old))
        #expect(
            kept.last
                == .converged(keeping: KeptCredential(credential: old, until: Self.now.addingTimeInterval(24 * 3_600))))
        #expect(
            Self.dryRun(start, policy: ConversionPolicy(convertAutomatic: false, graceHours: 0)) == [
                .moveIssuer(old: old), .retireCredential(old), .converged(keeping: nil),
            ])
    }

    @Test func theLoopLaysEachPlansEffectsOverTheObservation() {
        let start = Self.observe(Self.stated(), credentials: [])
        let converted = Self.federated()
        let added = start.applying([.credentialAdded(Self.serving)])
        #expect(added.serving == Self.serving)
        let done = added.applying([.converted(converted), .connectionRead(converted), .proven("proven")])
        #expect(done.endpoint == converted && done.convertedThisRun && done.proof == "proven")
        // A conversion the plan reverted leaves the connection as it was.
        let reverted = added.applying([.converted(converted), .tookBack("E1")])
        #expect(reverted.endpoint == start.endpoint && !reverted.convertedThisRun)
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
