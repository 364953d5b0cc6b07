import Foundation
import Testing

@testable import RotateCredentialCore

/// The steps of adding an action that the compiler does not check (README, "Where to change
/// what"): every action refuses a run without its inputs, asks for tokens, and has an end-to-end
/// test file that runs it through the binary.
@Suite struct ActionGuardTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let actions = ActionRegistry.standard.names.map(\.rawValue)

    /// Everything any action could need, so that only the action decides what is asked for.
    static let everything: [String: String] = [
        "INPUT_ORGANIZATION": "contoso", "INPUT_PROJECT": "Platform", "INPUT_TOKENDISPLAYNAMES": "x",
        "INPUT_KEYVAULTNAME": "kv-rotation", "INPUT_SECRETNAME": "app-secret",
        "INPUT_PATOWNERACCESSTOKEN": "owner-access-token",
        "INPUT_APPLICATIONID": "33333333-3333-3333-3333-333333333333",
        "INPUT_TENANTID": "11111111-1111-1111-1111-111111111111",
        "INPUT_CLIENTID": "22222222-2222-2222-2222-222222222222", "INPUT_CLIENTSECRET": "client-secret-value",
        "INPUT_SERVICECONNECTIONS": "prod", "INPUT_AZUREDEVOPSIDENTITY": "azureSubscription",
    ]

    func errors(_ values: [String: String]) -> [InputError] {
        do throws(InputErrors) {
            _ = try ConfigurationLoader.load(environment: values)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func namesAreKebabCase() {
        for name in Self.actions {
            let words = name.split(separator: "-", omittingEmptySubsequences: false)
            #expect(words.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }, "\(name)")
        }
    }

    @Test(arguments: actions) func everyActionHasRequirements(_ action: String) {
        let problems = errors(["INPUT_ACTION": action, "INPUT_ORGANIZATION": "contoso"])
        #expect(!problems.isEmpty, "\(action) runs with no inputs at all: give its descriptor requirements")
    }

    @Test(arguments: actions) func everyActionAsksForTokens(_ action: String) throws {
        // pat-owner-login needs the Key Vault secret that receives the session (the PAT actions would
        // refuse it next to patOwnerAccessToken).
        let session = action == "pat-owner-login" ? ["INPUT_PATOWNERREFRESHTOKENSECRET": "pat-owner-session"] : [:]
        let inputs = Self.everything.merging(["INPUT_ACTION": action]) { $1 }.merging(session) { $1 }
        let (configuration, descriptor) = try ActionRegistry.standard.load(environment: inputs)
        #expect(
            !TokenPrefetch.needs(configuration, rule: descriptor.tokens).isEmpty,
            "\(action): give its descriptor a token rule that asks for its tokens")
    }

    @Test(arguments: actions) func everyActionHasAnEndToEndTestFile(_ action: String) throws {
        let folder = Self.root.appendingPathComponent("scripts/e2e")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix("test_") && $0.hasSuffix(".py")
        }
        let mentioned = try files.contains { name in
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            return text.contains("\"\(action)\"")
        }
        #expect(mentioned, "no scripts/e2e/test_*.py runs \(action) through the binary")
    }
}

/// An action added through its descriptor alone runs end to end: the runner reads its inputs,
/// checks its requirements, applies its token rule, builds and runs it. Nothing else in the
/// library names it.
@Suite struct DescriptorOnlyActionTests {
    /// Reads the latest version of one Key Vault secret and says which it is.
    struct ProbeAction: TaskAction {
        let vault: KeyVaultAccess

        func run(_ context: ActionContext) async throws -> ActionResult {
            let name = try InternalError.unwrap(vault.secretNameTemplate, "secretName is required")
            let latest = try await SecretStore(keyVault: context.keyVault(vault)).latest(name)
            context.output.info("probe: '\(name)' is at \(latest?.id ?? "no version")")
            return ActionResult(changed: false, summaryMarkdown: "")
        }
    }

    static let probe = ActionDescriptor(
        "secret-probe", reads: [.identities, .keyVault],
        requirements: [
            ActionRequirements.keyVault("the probe reads a secret there."), ActionRequirements.keyVaultIdentity,
        ],
        tokens: .application(connections: false)
    ) { configuration throws(InternalError) in
        ProbeAction(
            vault: try InternalError.unwrap(
                configuration.keyVaultAccess, "secret-probe without Key Vault passed the check"))
    }

    static let inputs = [
        "INPUT_ACTION": "secret-probe", "INPUT_ORGANIZATION": "contoso", "INPUT_KEYVAULTNAME": "kv-rotation",
        "INPUT_SECRETNAME": "probe", "INPUT_TENANTID": "11111111-1111-1111-1111-111111111111",
        "INPUT_CLIENTID": "22222222-2222-2222-2222-222222222222", "INPUT_CLIENTSECRET": "client-secret-value",
        "AGENT_TEMPDIRECTORY": "/tmp",
    ]

    func run(_ environment: [String: String], registry: ActionRegistry, transport: RouteTransport) async -> (
        Int32, String
    ) {
        let sink = CapturingSink()
        let runner = TaskRunner(
            environment: environment, sink: sink, clock: FakeClock(), files: MemoryFileWriter(), actions: registry,
            makeTransport: { _ in transport })
        return (await runner.run(arguments: []), sink.text)
    }

    static func transport() -> RouteTransport {
        RouteTransport([
            .init(method: .post, pathSuffix: "/oauth2/v2.0/token") { _ in
                RouteTransport.json(200, ["access_token": "a-token", "token_type": "Bearer", "expires_in": 3600])
            },
            .init(method: .get, pathSuffix: "/secrets/probe") { _ in
                RouteTransport.json(
                    200,
                    [
                        "id": "https://kv-rotation.vault.azure.net/secrets/probe/v1", "value": "probe-value-1",
                        "attributes": ["enabled": true],
                    ])
            },
        ])
    }

    @Test func runsThroughTheRunnerWithItsDescriptorAlone() async {
        let registry = ActionRegistry(ActionRegistry.standard.descriptors + [Self.probe])
        let transport = Self.transport()
        let (code, output) = await run(Self.inputs, registry: registry, transport: transport)
        #expect(code == 0, "\(output)")
        #expect(output.contains("probe: 'probe' is at https://kv-rotation.vault.azure.net/secrets/probe/v1"))
        // The rule asked for Graph's token as well as Key Vault's, although the action uses only one.
        #expect(transport.calls.filter { $0.hasSuffix("/oauth2/v2.0/token") }.count == 2, "\(transport.calls)")
        #expect(transport.calls.last == "GET /secrets/probe")
    }

    @Test func itsRequirementsAreCheckedBeforeAnyCall() async {
        let registry = ActionRegistry(ActionRegistry.standard.descriptors + [Self.probe])
        let transport = Self.transport()
        var inputs = Self.inputs
        inputs["INPUT_KEYVAULTNAME"] = nil
        let (code, output) = await run(inputs, registry: registry, transport: transport)
        #expect(code == 1)
        #expect(output.contains("required for secret-probe: the probe reads a secret there."))
        #expect(transport.calls.isEmpty)
    }

    @Test func theTaskItselfDoesNotKnowIt() async {
        let transport = Self.transport()
        let (code, output) = await run(Self.inputs, registry: .standard, transport: transport)
        #expect(code == 1)
        #expect(output.contains("unknown action 'secret-probe'; expected one of pat-list, "))
        #expect(transport.calls.isEmpty)
    }
}
