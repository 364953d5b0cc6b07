/// How a PAT action acts as the PAT owner, as its descriptor builds it once the requirements
/// (``ActionRequirements/patOwner``, ``PatOwnerSignInRequirements/session``) accepted the inputs.
enum PatOwnerAccess: Sendable {
    /// A credential given in the inputs: a user's password or access token.
    case credential(EntraCredential)
    /// The session `pat-owner-login` stored in Key Vault, renewed (and stored again) first.
    case session(PatOwnerSignIn, vault: KeyVaultAccess)

    /// The PAT owner of `configuration`: the stored session when `patOwnerRefreshTokenSecret` is
    /// set, else the given credential.
    static func of(_ configuration: Configuration) throws(InternalError) -> PatOwnerAccess {
        if let signIn = configuration.identities.patOwnerSignIn {
            let vault = try InternalError.unwrap(
                configuration.keyVaultAccess, "a PAT owner session without Key Vault passed the input check")
            return .session(signIn, vault: vault)
        }
        return .credential(
            try InternalError.unwrap(
                configuration.identities.patOwner, "a PAT action without a PAT owner passed the input check"))
    }
}
