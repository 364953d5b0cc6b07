/// What a planned change needs from a service, so that a dry run can ask, without changing
/// anything, whether the change would be allowed (``AccessCheck``). A step that changes something
/// names its needs (``Step/needs``); the plan runner of a dry run collects them in the run's
/// ``AccessLedger``.
enum AccessNeed: Sendable {
    /// Writing service connection `endpoint` (its secret, its scheme), with the identity of
    /// `client`: the Administrator role on it (docs/permissions.md G7).
    case administerConnection(ServiceEndpoint, client: ServiceEndpointClient)
    /// Adding or removing credentials of application `objectId` as `identity`: ownership with
    /// `Application.ReadWrite.OwnedBy`, or `Application.ReadWrite.All` (G6).
    case changeApplication(objectId: String, label: String, identity: EntraCredential)
    /// Writing Key Vault secret `name` of `vault`: Key Vault Secrets Officer (G5).
    case writeSecret(name: String, vault: KeyVaultClient)
    /// Creating, extending or revoking the PAT owner's tokens as `owner`: the delegated permission
    /// `vso.pats_manage` (G2).
    case managePats(owner: EntraCredential)

    /// The same need asked for by several steps is checked once.
    var key: String {
        switch self {
        case .administerConnection(let endpoint, _): return "connection:\(endpoint.id.lowercased())"
        case .changeApplication(let objectId, _, _): return "application:\(objectId.lowercased())"
        case .writeSecret(let name, let vault):
            return "secret:\(vault.vaultURL.absoluteString.lowercased())/\(name.lowercased())"
        case .managePats: return "pats"
        }
    }
}
