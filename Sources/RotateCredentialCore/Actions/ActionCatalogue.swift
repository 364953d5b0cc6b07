/// Which type performs which action.
enum ActionCatalogue {
    static func action(for action: Action) -> any TaskAction {
        switch action {
        case .patList: return PatListAction()
        case .patRenew: return PatRenewAction()
        case .patRotate: return PatRotateAction(mode: .rotate)
        case .patCreate: return PatRotateAction(mode: .createOnly)
        case .patRevoke: return PatRotateAction(mode: .revokeOld)
        case .appSecretRotate: return AppSecretRotateAction(mode: .rotate)
        case .appSecretCreate: return AppSecretRotateAction(mode: .createOnly)
        case .appSecretRevoke: return AppSecretRotateAction(mode: .revokeOnly)
        case .serviceConnectionUpdate: return ServiceConnectionUpdateAction()
        case .patOwnerLogin: return PatOwnerLoginAction()
        case .serviceConnectionConvert: return ServiceConnectionConvertAction()
        case .serviceConnectionList: return ServiceConnectionListAction()
        }
    }
}
