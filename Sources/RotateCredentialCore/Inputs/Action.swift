/// What one run of the task does. Its name (``rawValue``, in YAML and `task.json`) is the case name
/// in kebab case: `patList` is `pat-list`.
public enum Action: Sendable, CaseIterable, RawRepresentable {
    case patList
    case patRenew
    case patRotate
    case patCreate
    case patRevoke
    case appSecretRotate
    case appSecretCreate
    case appSecretRevoke
    case serviceConnectionUpdate
    case patOwnerLogin
    case serviceConnectionConvert
    case serviceConnectionList

    /// The action's name: the case name with a hyphen before each capital, lower-cased.
    public var rawValue: String {
        String(describing: self).reduce(into: "") { name, character in
            if character.isUppercase { name += "-" }
            name += character.lowercased()
        }
    }

    /// The action named `rawValue`, if there is one.
    public init?(rawValue: String) {
        guard let action = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = action
    }

    /// Whether the action manages personal access tokens (and so needs the PAT owner's identity).
    /// (`pat-owner-login` signs the owner in and touches no PAT.)
    public var isPersonalAccessTokenAction: Bool { rawValue.hasPrefix("pat-") && self != .patOwnerLogin }
}
