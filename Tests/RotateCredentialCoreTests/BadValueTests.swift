import Foundation
import Testing

@testable import RotateCredentialCore

/// Issue #25, point 7: each bad value is refused before any call with one error naming its input,
/// and nothing else about it ("required for …" does not follow an invalid value).
@Suite struct BadValueTests {
    static let tenant = "11111111-1111-1111-1111-111111111111"
    static let client = "22222222-2222-2222-2222-222222222222"
    static let patRotate = [
        "INPUT_ACTION": "pat-rotate", "INPUT_ORGANIZATION": "contoso", "INPUT_TOKENDISPLAYNAMES": "nightly",
        "INPUT_KEYVAULTNAME": "kv-rotation", "INPUT_PATOWNERUSERNAME": "bot@contoso.com",
        "INPUT_PATOWNERPASSWORD": "Passw0rd-long", "INPUT_TENANTID": tenant, "INPUT_CLIENTID": client,
    ]
    static let appRotate = [
        "INPUT_ACTION": "app-secret-rotate", "INPUT_ORGANIZATION": "contoso", "INPUT_APPLICATIONID": client,
        "INPUT_KEYVAULTNAME": "kv-rotation", "INPUT_SECRETNAME": "payments", "INPUT_TENANTID": tenant,
        "INPUT_CLIENTID": client, "INPUT_CLIENTSECRET": "client-secret-value",
    ]

    func errors(_ base: [String: String], _ changes: [String: String]) -> [InputError] {
        do {
            _ = try ConfigurationLoader.load(environment: base.merging(changes) { $1 })
            return []
        } catch {
            return error.errors
        }
    }

    /// (inputs changed, the one input named)
    static let cases: [([String: String], [String: String], String)] = [
        (patRotate, ["INPUT_TENANTID": "not a tenant"], "tenantId"),
        (patRotate, ["INPUT_TENANTID": "not a tenant", "INPUT_CLIENTSECRET": "client-secret-value"], "tenantId"),
        (patRotate, ["INPUT_KEYVAULTNAME": "9-vault"], "keyVaultName"),
        (appRotate, ["INPUT_KEYVAULTNAME": "9-vault"], "keyVaultName"),
        (appRotate, ["INPUT_KEYVAULTURL": "http://vault.example.com"], "keyVaultUrl"),
        (appRotate, ["INPUT_CLIENTID": "rotation"], "clientId"),
        (patRotate, ["INPUT_ORGANIZATION": "https://evil.example/contoso"], "organization"),
        (patRotate, ["INPUT_ORGANIZATION": "https://dev.azure.com/contoso/Platform"], "organization"),
        (patRotate, ["INPUT_ORGANIZATION": "https://dev.azure.com/contoso?api-version=1"], "organization"),
        (patRotate, ["INPUT_SCOPE": "vso.code\nvso.build"], "scope"),
        (patRotate, ["INPUT_SCOPE": "vso.code vso.codee"], "scope"),
        (appRotate, ["INPUT_SECRETDISPLAYNAME": "rotated\u{7}by the task"], "secretDisplayName"),
        (appRotate, ["INPUT_SECRETDISPLAYNAME": String(repeating: "a", count: 5_000)], "secretDisplayName"),
        (appRotate, ["INPUT_GRAPHURL": "https://graph.microsoft.com/?x=1"], "graphUrl"),
        (appRotate, ["INPUT_AUTHORITYHOST": "https://login.microsoftonline.com#tenant"], "authorityHost"),
        (appRotate, ["INPUT_KEYVAULTURL": "https://kv.vault.azure.net/a/../b"], "keyVaultUrl"),
        (appRotate, ["INPUT_KEYVAULTURL": "https://kv.vault.azure.net/a/%2E%2e/b"], "keyVaultUrl"),
        (patRotate, ["INPUT_VSSPSURL": "https://vssps.dev.azure.com/./x"], "vsspsUrl"),
        (patRotate, ["INPUT_AZUREDEVOPSURL": "https://dev.azure.com?x"], "azureDevOpsUrl"),
    ]

    @Test(arguments: cases.indices)
    func oneErrorNamesTheInput(index: Int) {
        let (base, changes, input) = Self.cases[index]
        let found = errors(base, changes)
        #expect(found.map(\.input) == [input], "\(changes): \(found)")
    }

    @Test func validValuesPass() {
        #expect(errors(Self.patRotate, ["INPUT_SCOPE": "vso.code  vso.packaging_write"]).isEmpty)
        #expect(errors(Self.patRotate, ["INPUT_ORGANIZATION": "https://dev.azure.com/contoso/"]).isEmpty)
        #expect(errors(Self.patRotate, ["INPUT_ORGANIZATION": "https://contoso.visualstudio.com"]).isEmpty)
        #expect(
            errors(
                Self.patRotate,
                [
                    "INPUT_AZUREDEVOPSURL": "https://127.0.0.1:8443/ado",
                    "INPUT_ORGANIZATION": "https://127.0.0.1:8443/ado/contoso",
                ]
            ).isEmpty)
        #expect(errors(Self.appRotate, ["INPUT_SECRETDISPLAYNAME": String(repeating: "é", count: 256)]).isEmpty)
        // The agent's collection URI only names the organization (Azure DevOps Server may use http).
        #expect(
            errors(
                Self.patRotate.filter { $0.key != "INPUT_ORGANIZATION" },
                ["SYSTEM_COLLECTIONURI": "http://tfs.contoso.local:8080/tfs/contoso/"]
            ).isEmpty)
    }

    @Test func scopeIsSentWithSingleSpaces() throws {
        let configuration = try ConfigurationLoader.load(
            environment: Self.patRotate.merging(["INPUT_SCOPE": "vso.code   vso.build_execute"]) { $1 })
        #expect(configuration.pat.scope == "vso.code vso.build_execute")
    }

    @Test func unknownScopesAreNamed() {
        let message = AzureDevOpsScopes.problem("vso.code vso.codee app_tokens") ?? ""
        #expect(message.hasPrefix("'vso.codee', 'app_tokens' are not Azure DevOps scopes"))
        #expect(AzureDevOpsScopes.problem("app_token vso.pats_manage vso.extension.data_write") == nil)
    }

    @Test func secretDisplayNameRules() {
        #expect(NameRules.secretDisplayName("rotate-credential 2026-12-01") == nil)
        #expect(NameRules.secretDisplayName("a\u{2028}b")?.contains("U+2028") == true)
        #expect(NameRules.secretDisplayName("tab\there")?.contains("U+0009") == true)
        #expect(NameRules.secretDisplayName(String(repeating: "x", count: 257))?.contains("257") == true)
    }

    @Test func outsideAnAgentTextIsPlain() {
        let command = LoggingCommand("task.logissue", properties: [("type", "error")], data: "50% off;\nnext")
        #expect(command.plainLine == "##vso[task.logissue type=error;]50% off;\\nnext")
        let sink = CapturingSink()
        PipelineOutput(sink: sink, debugEnabled: false, underAgent: false).error("Input 'organization': 'con%toso'")
        #expect(sink.lines == ["##vso[task.logissue type=error;]Input 'organization': 'con%toso'"])
    }
}
