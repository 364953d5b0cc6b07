import Foundation
import Testing

@testable import RotateCredentialCore

/// The steps of adding an action that the compiler does not check (README, "Where to change
/// what"): every action refuses a run without its inputs, asks for tokens, and has an end-to-end
/// test file that runs it through the binary.
@Suite struct ActionGuardTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

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

    @Test(arguments: Action.allCases) func everyActionHasRequirements(_ action: Action) {
        let problems = errors(["INPUT_ACTION": action.rawValue, "INPUT_ORGANIZATION": "contoso"])
        #expect(
            !problems.isEmpty,
            "\(action.rawValue) runs with no inputs at all: add its requirements to ActionRequirements")
    }

    @Test(arguments: Action.allCases) func everyActionAsksForTokens(_ action: Action) throws {
        // pat-owner-login needs the Key Vault secret that receives the session (the PAT actions would
        // refuse it next to patOwnerAccessToken).
        let session = action == .patOwnerLogin ? ["INPUT_PATOWNERREFRESHTOKENSECRET": "pat-owner-session"] : [:]
        let inputs = Self.everything.merging(["INPUT_ACTION": action.rawValue]) { $1 }.merging(session) { $1 }
        let configuration = try ConfigurationLoader.load(environment: inputs)
        #expect(
            !TokenPrefetch.needs(configuration).isEmpty,
            "\(action.rawValue): give it a TokenPrefetch rule that asks for its tokens")
    }

    @Test(arguments: Action.allCases) func everyActionHasAnEndToEndTestFile(_ action: Action) throws {
        let folder = Self.root.appendingPathComponent("scripts/e2e")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix("test_") && $0.hasSuffix(".py")
        }
        let mentioned = try files.contains { name in
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            return text.contains("\"\(action.rawValue)\"")
        }
        #expect(mentioned, "no scripts/e2e/test_*.py runs \(action.rawValue) through the binary")
    }
}
