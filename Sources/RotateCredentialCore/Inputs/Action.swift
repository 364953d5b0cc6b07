/// What one run of the task does.
public enum Action: String, Sendable, CaseIterable {
    case patList = "pat-list"
    case patRenew = "pat-renew"
    case patRotate = "pat-rotate"
    case patCreate = "pat-create"
    case patRevoke = "pat-revoke"
    case appSecretRotate = "app-secret-rotate"
    case appSecretCreate = "app-secret-create"
    case appSecretRevoke = "app-secret-revoke"
    case serviceConnectionUpdate = "service-connection-update"
    case patOwnerLogin = "pat-owner-login"
    case serviceConnectionConvert = "service-connection-convert"
    case serviceConnectionList = "service-connection-list"

    /// Whether the action manages personal access tokens (and so needs the PAT owner's identity).
    /// (`pat-owner-login` signs the owner in and touches no PAT.)
    public var isPersonalAccessTokenAction: Bool { rawValue.hasPrefix("pat-") && self != .patOwnerLogin }
}
