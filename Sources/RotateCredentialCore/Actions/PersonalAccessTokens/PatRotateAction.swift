/// `pat-rotate`, `pat-create` and `pat-revoke`: bring each selected display name to the state the
/// action wants, decided from what Key Vault holds (see ``PatDecision``), not from the newest
/// token at the source.
///
/// - `pat-rotate`: when the held token is due, create an organization-scoped replacement, store
///   it and read it back, then revoke the tokens Key Vault no longer holds.
/// - `pat-create`: the same without the revocation; `pat-revoke` does that after `graceHours`.
/// - `pat-revoke`: revoke the tokens Key Vault no longer holds once the held one was stored
///   `graceHours` ago; never the held one.
///
/// Every action revokes orphans (tokens newer than the held one whose value was never stored),
/// so a run interrupted between create and store is finished by the next one.
struct PatRotateAction: TaskAction {
    let mode: PatPolicy.Mode
    /// Who the PAT owner is.
    let owner: PatOwnerAccess
    /// The vault that holds the tokens consumers read.
    let vault: KeyVaultAccess

    func run(_ context: ActionContext) async throws -> ActionResult {
        let support = try await PatActionSupport.start(context, owner: owner)
        let configuration = context.configuration
        let store = SecretStore(keyVault: context.keyVault(vault))
        // A literal name that matches no token stops pat-rotate and pat-revoke, not pat-create.
        let all = try await support.discover(refusingUnknownNames: mode != .createOnly)
        let families = PatSelection.families(support.select(all))
        try support.checkSecretNames(families)
        let policy = PatPolicy(
            mode: mode, renewWithinDays: configuration.lifetimes.renewWithinDays,
            graceHours: configuration.lifetimes.graceHours)
        let reconciler = PatReconciler(support: support, store: store, policy: policy)
        var observations: [PatObservation] = []
        for family in families {
            observations.append(try await reconciler.observe(family.displayName, tokens: all))
        }
        if mode != .revokeOld {
            for family in families where family.newest.isGlobal { support.warnIfGlobal(family.newest, replaced: true) }
        }
        let outcomes = await Parallel.map(observations, maxParallel: configuration.maxParallel) {
            await reconciler.run(from: $0)
        }
        return support.finish(outcomes, all: all, policy: policy, title: title)
    }

    private var title: String {
        switch mode {
        case .rotate: return "PAT rotation"
        case .createOnly: return "PAT replacements (pat-create)"
        case .revokeOld: return "PAT revocation"
        }
    }
}
