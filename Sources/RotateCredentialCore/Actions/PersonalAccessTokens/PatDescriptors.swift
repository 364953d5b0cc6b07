/// The PAT actions: each acts as the PAT owner (a stored session, a password or an access token),
/// on the tokens `tokenDisplayNames` selects.
extension ActionDescriptor {
    /// What every PAT action reads.
    private static let patInputs: Set<InputGroup> = [.identities, .keyVault, .patSelection, .lifetimes]

    /// `pat-list` (``PatListAction``).
    static let patList = ActionDescriptor(
        "pat-list", reads: patInputs,
        requirements: [PatOwnerSignInRequirements.session, ActionRequirements.patOwner],
        tokens: .patOwner(vault: false)
    ) { configuration throws(InternalError) in
        PatListAction(owner: try .of(configuration))
    }

    /// `pat-renew` (``PatRenewAction``).
    static let patRenew = ActionDescriptor(
        "pat-renew", reads: patInputs,
        requirements: [
            PatOwnerSignInRequirements.session, ActionRequirements.patOwner, ActionRequirements.tokenDisplayNames,
        ],
        tokens: .patOwner(vault: false)
    ) { configuration throws(InternalError) in
        PatRenewAction(owner: try .of(configuration))
    }

    /// `pat-rotate` (``PatRotateAction``, ``PatPolicy/Mode/rotate``).
    static let patRotate = rotation(
        "pat-rotate", .rotate,
        vault: "every new token is stored in Key Vault before an old one is revoked.")

    /// `pat-create` (``PatRotateAction``, ``PatPolicy/Mode/createOnly``).
    static let patCreate = rotation(
        "pat-create", .createOnly,
        vault: "every new token is stored in Key Vault before an old one is revoked.")

    /// `pat-revoke` (``PatRotateAction``, ``PatPolicy/Mode/revokeOld``).
    static let patRevoke = rotation(
        "pat-revoke", .revokeOld,
        vault:
            "an older token is revoked only when Key Vault holds the newest token's value (the secret pat-create wrote)."
    )

    /// A PAT action decided by what Key Vault holds; `vault` says why it needs the vault.
    private static func rotation(_ name: ActionName, _ mode: PatPolicy.Mode, vault: String) -> ActionDescriptor {
        ActionDescriptor(
            name, reads: patInputs,
            requirements: [
                PatOwnerSignInRequirements.session, ActionRequirements.patOwner, ActionRequirements.tokenDisplayNames,
                ActionRequirements.keyVault(vault), ActionRequirements.patKeyVaultIdentity,
            ],
            tokens: .patOwner(vault: true)
        ) { configuration throws(InternalError) in
            PatRotateAction(
                mode: mode, owner: try .of(configuration),
                vault: try InternalError.unwrap(
                    configuration.keyVaultAccess, "\(name) without Key Vault passed the input check"))
        }
    }
}
