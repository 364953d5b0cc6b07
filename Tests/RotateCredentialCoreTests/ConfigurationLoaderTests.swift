import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct ConfigurationLoaderTests {
    static let tenant = "11111111-1111-1111-1111-111111111111"
    static let client = "22222222-2222-2222-2222-222222222222"

    func load(_ values: [String: String]) -> Result<Configuration, InputErrors> {
        Result { () throws(InputErrors) in try ConfigurationLoader.load(environment: values) }
    }

    func errors(_ values: [String: String]) -> [InputError] {
        if case .failure(let failure) = load(values) { return failure.errors }
        return []
    }

    @Test func organizationComesFromTheCollectionURI() throws {
        let configuration = try load([
            "INPUT_ACTION": "pat-list", "SYSTEM_COLLECTIONURI": "https://dev.azure.com/contoso/",
            "INPUT_PATOWNERACCESSTOKEN": "token-from-an-earlier-step",
        ]).get()
        #expect(configuration.organization == "contoso")
        #expect(configuration.urls.vsspsOrganization.absoluteString == "https://vssps.dev.azure.com/contoso")
        #expect(configuration.urls.keyVaultScope == "https://vault.azure.net/.default")
    }

    @Test func legacyVisualStudioURLNamesTheOrganization() throws {
        let configuration = try load([
            "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "https://fabrikam.visualstudio.com/",
            "INPUT_PATOWNERACCESSTOKEN": "token-from-an-earlier-step",
        ]).get()
        #expect(configuration.organization == "fabrikam")
    }

    @Test func reportsEveryProblemTogether() {
        let problems = errors([
            "INPUT_ACTION": "pat-rotate", "INPUT_ORGANIZATION": "contoso", "INPUT_VALIDITYDAYS": "0",
            "INPUT_GRACEHOURS": "soon", "INPUT_KEYVAULTURL": "http://vault.example.com",
        ])
        let names = Set(problems.map(\.input))
        #expect(
            names.isSuperset(of: ["validityDays", "graceHours", "keyVaultUrl", "patOwnerUsername", "tokenDisplayNames"])
        )
    }

    @Test func servicePrincipalAloneCannotManagePATs() {
        let problems = errors([
            "INPUT_ACTION": "pat-rotate", "INPUT_ORGANIZATION": "contoso", "INPUT_TOKENDISPLAYNAMES": "x",
            "INPUT_KEYVAULTNAME": "kv-rotation", "INPUT_TENANTID": Self.tenant, "INPUT_CLIENTID": Self.client,
            "INPUT_CLIENTSECRET": "client-secret-value",
        ])
        #expect(problems.map(\.input) == ["patOwnerUsername"])
        #expect(problems[0].message.contains("rejected by the service"))
    }

    @Test func httpIsAllowedForLoopbackOnly() throws {
        let configuration = try load([
            "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso",
            "INPUT_PATOWNERACCESSTOKEN": "token-from-an-earlier-step",
            "INPUT_VSSPSURL": "http://127.0.0.1:8080/vssps",
        ]).get()
        #expect(configuration.urls.vsspsOrganization.absoluteString == "http://127.0.0.1:8080/vssps/contoso")
        #expect(
            !errors([
                "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso", "INPUT_VSSPSURL": "http://10.0.0.1/x",
            ]).isEmpty)
    }

    @Test func workloadIdentityConnectionIsReadFromEndpointVariables() throws {
        let id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
        let upper = id
        let configuration = try load([
            "INPUT_ACTION": "app-secret-revoke", "INPUT_ORGANIZATION": "contoso", "INPUT_APPLICATIONID": Self.client,
            "INPUT_AZURESUBSCRIPTION": id, "ENDPOINT_AUTH_SCHEME_\(upper)": "WorkloadIdentityFederation",
            "ENDPOINT_AUTH_PARAMETER_\(upper)_TENANTID": Self.tenant,
            "ENDPOINT_AUTH_PARAMETER_\(upper)_SERVICEPRINCIPALID": Self.client,
            "SYSTEM_OIDCREQUESTURI":
                "https://dev.azure.com/contoso/p/_apis/distributedtask/hubs/build/plans/1/jobs/2/oidctoken",
            "SYSTEM_ACCESSTOKEN": "job-token",
        ]).get()
        guard case .workloadIdentity(let tenant, let client, let oidc) = configuration.identities.azure else {
            Issue.record("expected workload identity")
            return
        }
        #expect(tenant == Self.tenant && client == Self.client && oidc.serviceConnectionId == id)
    }

    @Test func keyVaultNameGivesTheCloudsURL() throws {
        let configuration = try load([
            "INPUT_ACTION": "pat-rotate", "INPUT_ORGANIZATION": "contoso", "INPUT_TOKENDISPLAYNAMES": "x",
            "INPUT_PATOWNERUSERNAME": "bot@contoso.com", "INPUT_PATOWNERPASSWORD": "bot-password-1",
            "INPUT_TENANTID": Self.tenant, "INPUT_CLIENTID": Self.client, "INPUT_KEYVAULTNAME": "kv-Rotation",
            "INPUT_AUTHORITYHOST": "https://login.microsoftonline.us",
        ]).get()
        #expect(configuration.keyVault?.url.absoluteString == "https://kv-rotation.vault.usgovcloudapi.net")
        // The check changes nothing: pat-{displayName} is applied where a PAT action reads the name.
        #expect(configuration.keyVault?.secretNameTemplate == nil)
        #expect(configuration.urls.keyVaultScope == "https://vault.usgovcloudapi.net/.default")
    }

    @Test func invalidNamesAreRefused() {
        let problems = errors([
            "INPUT_ACTION": "app-secret-rotate", "INPUT_ORGANIZATION": "contoso", "INPUT_APPLICATIONID": "not-a-guid",
            "INPUT_KEYVAULTNAME": "1bad", "INPUT_SECRETNAME": "bad_name", "INPUT_TENANTID": Self.tenant,
            "INPUT_CLIENTID": Self.client, "INPUT_CLIENTSECRET": "client-secret-value",
        ])
        let names = Set(problems.map(\.input))
        #expect(names.isSuperset(of: ["applicationId", "keyVaultName", "secretName"]))
    }
}
