import Foundation
import Testing

@testable import RotateCredentialCore

/// `task.json` and the Swift input catalogue describe the same inputs, input for input.
@Suite struct TaskContractTests {
    struct TaskJSON: Decodable {
        struct Input: Decodable {
            var name: String
            var type: String
            var required: Bool?
            var defaultValue: String?
            var options: [String: String]?
        }
        struct VersionNumber: Decodable {
            var Major: Int
            var Minor: Int
            var Patch: Int
        }
        var name: String
        var inputs: [Input]
        var version: VersionNumber
    }

    static func taskJSON() throws -> TaskJSON {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try JSONDecoder().decode(TaskJSON.self, from: Data(contentsOf: root.appendingPathComponent("task.json")))
    }

    static func taskType(_ kind: InputDefinition.Kind) -> String {
        switch kind {
        case .string: return "string"
        case .multiLine: return "multiLine"
        case .boolean: return "boolean"
        case .integer: return "int"
        case .pickList: return "pickList"
        case .azureResourceManagerConnection: return "connectedService:AzureRM"
        }
    }

    @Test func sameInputsInTheSameOrder() throws {
        let task = try Self.taskJSON()
        #expect(task.inputs.map(\.name) == InputCatalogue.all.map(\.name))
    }

    @Test func sameTypesRequiredFlagsDefaultsAndOptions() throws {
        let task = try Self.taskJSON()
        for (declared, input) in zip(task.inputs, InputCatalogue.all) {
            #expect(declared.type == Self.taskType(input.kind), "type of \(input.name)")
            #expect((declared.required ?? false) == input.isRequired, "required of \(input.name)")
            if let value = input.defaultValue {
                #expect(declared.defaultValue == value, "default of \(input.name)")
            }
            if case .pickList(let options) = input.kind {
                #expect(Set(declared.options?.keys.map { $0 } ?? []) == Set(options), "options of \(input.name)")
            }
        }
    }

    @Test func theActionPickListIsTheRegistry() throws {
        let action = try #require(try Self.taskJSON().inputs.first { $0.name == "action" })
        #expect(Set(action.options?.keys.map { $0 } ?? []) == Set(ActionRegistry.standard.names.map(\.rawValue)))
    }

    @Test func versionAgreesWithTheBinary() throws {
        let version = try Self.taskJSON().version
        #expect("\(version.Major).\(version.Minor).\(version.Patch)" == Version.current)
    }

    @Test func environmentVariablesFollowTheAgentsRule() {
        #expect(InputCatalogue.definition("keyVaultName").environmentVariable == "INPUT_KEYVAULTNAME")
        #expect(InputDefinition("a.b c", .string, "").environmentVariable == "INPUT_A_B_C")
    }
}
