/// `pat-rotate`, `pat-create` and `pat-revoke`: bring each selected display name to the state the
/// action wants, decided from what Key Vault holds and the task's record (see ``PatDecision``),
/// not from the newest token at the source.
///
/// - `pat-rotate`: when the held token is due, create an organization-scoped replacement, store
///   it and read it back, then revoke the tokens it superseded.
/// - `pat-create`: the same without the revocation; `pat-revoke` does that after `graceHours`.
/// - `pat-revoke`: revoke the superseded tokens once the held one was stored `graceHours` ago;
///   never the held one.
///
/// Before the first change the run takes the organization's lease in the task's record (one
/// writer at a time) and records its intent; every action revokes orphans (tokens created inside
/// a recorded intent, newer than the held one, whose value was never stored), so a run
/// interrupted between create and store is finished by the next one. Tokens people made are
/// never revoked.
struct PatRotateAction: TaskAction {
    let mode: PatPolicy.Mode
    /// Who the PAT owner is.
    let owner: PatOwnerAccess
    /// The vault that holds the tokens consumers read.
    let vault: KeyVaultAccess

    /// Minutes a run's lease lasts: far longer than a run takes, short enough that a killed run
    /// does not block the next scheduled one.
    static let leaseSeconds = 1_800.0

    func run(_ context: ActionContext) async throws -> ActionResult {
        let support = try await PatActionSupport.start(context, owner: owner)
        let configuration = context.configuration
        let store = SecretStore(keyVault: context.keyVault(vault))
        let recordStore = RecordStore(
            keyVault: store.keyVault, scope: RecordStore.personalAccessTokens(organization: configuration.organization))
        async let loadedKeeper = RecordKeeper.load(
            recordStore, run: configuration.run, context: context, leaseSeconds: Self.leaseSeconds)
        // A literal name that matches no token stops pat-rotate and pat-revoke, not pat-create.
        let all = try await support.discover(refusingUnknownNames: mode != .createOnly)
        let families = PatSelection.families(support.select(all))
        try support.checkSecretNames(families)
        let keeper = try await loadedKeeper
        let policy = PatPolicy(
            mode: mode, renewWithinDays: configuration.lifetimes.renewWithinDays,
            graceHours: configuration.lifetimes.graceHours)
        let reconciler = PatReconciler(support: support, store: store, keeper: keeper, policy: policy)
        let observations = try await observeAll(families, reconciler: reconciler)
        let unmanaged = observations.flatMap { $0.ownership(createdThisRun: []).unmanaged }
        await keeper.recordUnmanaged(unmanaged.map(\.authorizationId))
        if mode != .revokeOld {
            for family in families where family.newest.isGlobal { support.warnIfGlobal(family.newest, replaced: true) }
        }
        let outcomes = await Parallel.map(observations, maxParallel: configuration.maxParallel) {
            await reconciler.run(from: $0)
        }
        await release(keeper, outcomes: outcomes, patterns: configuration.pat.displayNames.map(\.text))
        support.warnNotManaged(unmanaged)
        return support.finish(outcomes, all: all, policy: policy, title: title)
    }

    /// Reads Key Vault for every family, `maxParallel` at a time. The first family that needs a
    /// change starts taking the lease, whose pause then passes while the other families are read;
    /// a lease begun before a read that failed is given back.
    private func observeAll(_ families: [PatFamily], reconciler: PatReconciler) async throws -> [PatObservation] {
        let configuration = reconciler.context.configuration
        let names = configuration.pat.displayNames.map(\.text)
        let results = await Parallel.map(families, maxParallel: configuration.maxParallel) {
            family -> Result<PatObservation, any Error> in
            do {
                let observation = try await reconciler.observe(family.displayName, tokens: family.tokens)
                if !configuration.dryRun, reconciler.decide(observation).changes {
                    await reconciler.keeper.beginTakingLease(intending: names)
                }
                return .success(observation)
            } catch {
                return .failure(error)
            }
        }
        do {
            return try results.map { try $0.get() }
        } catch {
            await reconciler.keeper.release(left: []) { _ in false }
            throw error
        }
    }

    /// Writes the record back: this run's intent settled with the tokens it left live and
    /// unstored; earlier runs' intents over the same names dropped when every family ended
    /// without an orphan.
    private func release(_ keeper: RecordKeeper, outcomes: [PatFamilyOutcome], patterns: [String]) async {
        let left = outcomes.flatMap(\.leftLive)
        let clean = outcomes.allSatisfy { outcome in
            outcome.succeeded && (outcome.final.map { $0.ownership(createdThisRun: []).orphans.isEmpty } ?? false)
        }
        let names = Set(patterns.map { $0.lowercased() })
        await keeper.release(left: left, keepOpen: outcomes.contains(where: \.mayStillLand)) { intent in
            clean && Set(intent.names.map { $0.lowercased() }).isSubset(of: names)
        }
    }

    private var title: String {
        switch mode {
        case .rotate: return "PAT rotation"
        case .createOnly: return "PAT replacements (pat-create)"
        case .revokeOld: return "PAT revocation"
        }
    }
}
