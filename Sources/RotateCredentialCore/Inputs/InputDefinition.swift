/// One task input as `task.json` declares it and the agent passes it (`INPUT_<NAME>`).
struct InputDefinition: Sendable, Equatable {
    /// What kind of value the input takes; mirrors `task.json` input types.
    enum Kind: Sendable, Equatable {
        case string
        case multiLine
        case boolean
        case integer(ClosedRange<Int>)
        case pickList([String])
        case azureResourceManagerConnection
    }

    /// The input's name in `task.json` and YAML.
    let name: String
    /// Its kind.
    let kind: Kind
    /// Whether `task.json` marks it required.
    let isRequired: Bool
    /// Its default value, as text.
    let defaultValue: String?
    /// Whether the value is a credential: it is masked as soon as it is read.
    let isSecret: Bool
    /// One-line description (used by `--help`).
    let summary: String

    /// The environment variable the agent sets: `INPUT_` + the name upper-cased, `.` and space
    /// turned into `_` (agent `VarUtil.ConvertToEnvVariableFormat`).
    var environmentVariable: String {
        "INPUT_"
            + name.uppercased().replacingOccurrences(of: ".", with: "_")
            .replacingOccurrences(of: " ", with: "_")
    }
}

extension InputDefinition {
    /// Creates a definition, worded as the catalogue lists inputs.
    init(
        _ name: String, _ kind: Kind, required: Bool = false, default defaultValue: String? = nil,
        secret: Bool = false, _ summary: String
    ) {
        self.init(
            name: name, kind: kind, isRequired: required, defaultValue: defaultValue, isSecret: secret, summary: summary
        )
    }
}
