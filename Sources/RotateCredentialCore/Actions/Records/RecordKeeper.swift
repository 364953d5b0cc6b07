/// Keeps one scope's ``CredentialRecord`` for a run: reads it, takes the ``Lease`` (writing the
/// run's ``Intent`` with it) before the first change, collects what the run learns (holders,
/// credentials people made, bystanders) and writes it all back when the run ends, lease released
/// and intent settled.
///
/// Key Vault has no conditional writes, so the lease is taken with Fischer's timed mutual
/// exclusion: read the record (no live lease of another run), write it with this run's lease
/// within half a pause of that read, pause ``settleSeconds``, read again: only the run whose lease
/// is still there goes on, any other stops before changing anything. A run whose write landed
/// after the pause of another must have read before that run's write, so it waited longer than
/// it accepts and tries again. Two runs that start together therefore never both change a scope.
actor RecordKeeper {
    /// The pause between writing the lease and reading it back.
    static let settleSeconds = 1.0
    /// The least real time that pause takes, even when tests shorten every pause: the gap a run
    /// accepts is half of it, and a read and a write take longer than a shortened pause.
    static let minimumPauseSeconds = 0.3
    /// Attempts when a read-to-write gap was too long.
    static let attempts = 4
    /// The oldest the run's first read of the record may be for the lease's write to go on from it
    /// instead of reading again: a quarter of the pause, leaving the write another quarter.
    static let reusableReadSeconds = settleSeconds / 4

    private let store: RecordStore
    private let run: RunIdentity
    private let clock: any WallClock
    private let serviceNow: @Sendable () -> Date
    private let output: PipelineOutput
    private let leaseSeconds: Double
    /// The record as last read or written (without ``additions``).
    private var record: CredentialRecord
    /// What this run learned, laid over any record before it is written.
    private var additions = RecordAdditions()
    /// The lease id the record showed when the run loaded it.
    private let loadedLeaseId: String?
    /// When the run's first read of the record began, while no other read replaced it.
    private var loadedAt: Date?
    /// The lease (and intent) this run holds.
    private(set) var lease: Lease?
    /// Fischer's protocol, started once (see ``beginTakingLease(intending:)``).
    private var acquisition: Task<Bool, any Error>?
    /// The acquisition followed by the write of what the run learned meanwhile.
    private var confirmation: Task<Bool, any Error>?

    /// A keeper for the record in `store`, as loaded now.
    static func load(
        _ store: RecordStore, run: RunIdentity, context: ActionContext, leaseSeconds: Double
    ) async throws -> RecordKeeper {
        let started = context.clock.now()
        let record = try await store.read()
        if context.configuration.dryRun {
            context.access.planRecord(.writeSecret(name: store.secretName, vault: store.keyVault))
        }
        return RecordKeeper(
            store: store, run: run, clock: context.clock,
            serviceNow: { [services = context.services] in
                services.http.serviceClock.now()
            }, output: context.output, leaseSeconds: leaseSeconds, record: record, loadedAt: started)
    }

    private init(
        store: RecordStore, run: RunIdentity, clock: any WallClock, serviceNow: @escaping @Sendable () -> Date,
        output: PipelineOutput, leaseSeconds: Double, record: CredentialRecord, loadedAt: Date
    ) {
        self.store = store
        self.run = run
        self.clock = clock
        self.serviceNow = serviceNow
        self.output = output
        self.leaseSeconds = leaseSeconds
        self.record = record
        self.loadedLeaseId = record.lease?.id
        self.loadedAt = loadedAt
    }

    /// The record with what this run learned so far.
    var current: CredentialRecord { additions.applied(to: record) }

    /// The Key Vault secret that holds the record, for messages.
    nonisolated var secretName: String { store.secretName }

    /// Notes that connection `holder.id` now holds `holder.keyId`.
    func recordHolder(_ holder: ConnectionHolder) { additions.holders.append(holder) }

    /// Notes credentials people made (never touched by any action).
    func recordUnmanaged(_ ids: [String]) { additions.unmanaged += ids }

    /// Notes connections the task does not write that use a secret of the application.
    func recordBystanders(_ found: [Bystander]) { additions.bystanders += found }

    /// Takes the lease, once (later calls wait for the first and share its result), writing an
    /// intent to create credentials named by `names`, then writes what the run learned since the
    /// lease's write (credentials people made), so the record holds it before the first change.
    /// Returns whether another run took the lease since the record was loaded: it may have changed
    /// the scope, so the caller observes again.
    func takeLease(intending names: [String]) async throws -> Bool {
        if let confirmation { return try await confirmation.value }
        let acquiring = beginTakingLease(intending: names)
        let task = Task {
            let changedMeanwhile = try await acquiring.value
            try await self.writeLearned()
            return changedMeanwhile
        }
        confirmation = task
        return try await task.value
    }

    /// Starts taking the lease in the background (once), so that its pause passes while the run
    /// still reads; ``takeLease(intending:)`` waits for it. Call it only once the run knows it
    /// changes something: a run with nothing to do writes nothing.
    @discardableResult
    func beginTakingLease(intending names: [String]) -> Task<Bool, any Error> {
        if let acquisition { return acquisition }
        let task = Task { try await self.acquire(names: names) }
        acquisition = task
        return task
    }

    /// Writes what the run learned after the lease's write, when there is anything.
    private func writeLearned() async throws {
        let learned = additions.applied(to: record)
        guard lease != nil, learned != record else { return }
        try await store.write(learned)
        record = learned
    }

    /// Takes the lease (once) before a change decided on an observation that showed the record
    /// `observed`, and says what that means for the observation; `firstTime`: the subject's first
    /// change of the run (only then can another run have changed the scope since it looked).
    func prepare(intending names: [String], observed: CredentialRecord?, firstTime: Bool) async throws
        -> LeasePreparation
    {
        let changedMeanwhile = try await takeLease(intending: names)
        try checkLease()
        if changedMeanwhile, firstTime { return .observeAgain }
        return current == observed ? .stands : .recordChanged(current)
    }

    /// Throws when the lease is about to run out: a change must not start after it expired.
    func checkLease() throws {
        guard let lease, lease.expires.timeIntervalSince(serviceNow()) > 60 else {
            throw RotationFailure.leaseExpired(record: store.secretName)
        }
    }

    private func acquire(names: [String]) async throws -> Bool {
        var mine: Set<String> = []
        for _ in 1...Self.attempts {
            let (started, current) = try await freshRead()
            try refuseLiveLease(of: current, unless: mine)
            let (next, lease) = leased(current, names: names)
            mine.insert(lease.id)
            try await store.write(next)
            let gap = clock.now().timeIntervalSince(started)
            let paused = try await pause()
            guard gap < paused / 2 else {
                output.info(
                    "\(Decimals.fixed(gap, digits: 2)) s passed from reading the record '\(store.secretName)' to writing it, longer than the \(Decimals.fixed(paused / 2, digits: 2)) s the lease allows; trying again."
                )
                continue
            }
            let check = try await store.read()
            guard check.lease?.id == lease.id else {
                throw RotationFailure.leaseHeld(
                    holder: check.lease?.holder ?? "another run", until: check.lease?.expires, record: store.secretName)
            }
            record = check
            self.lease = lease
            output.info(
                "Took the lease on \(store.scope) (Key Vault secret '\(store.secretName)') until \(Timestamp.format(lease.expires)); no other run changes it meanwhile."
            )
            return current.lease?.id != loadedLeaseId
        }
        throw RotationFailure.leaseSlow(record: store.secretName)
    }

    /// The record and when its read began: the run's first read while it is younger than
    /// ``reusableReadSeconds`` (once), otherwise a new read.
    private func freshRead() async throws -> (Date, CredentialRecord) {
        defer { loadedAt = nil }
        if let loadedAt, clock.now().timeIntervalSince(loadedAt) < Self.reusableReadSeconds {
            return (loadedAt, record)
        }
        let started = clock.now()
        return (started, try await store.read())
    }

    /// Pauses ``settleSeconds`` and at least ``minimumPauseSeconds`` of real time; returns the real
    /// time paused (the gap of another run is bounded by the same rule, in real time).
    private func pause() async throws -> Double {
        let started = clock.now()
        var paused = 0.0
        repeat {
            try await clock.sleep(seconds: Self.settleSeconds)
            paused = clock.now().timeIntervalSince(started)
        } while paused < Self.minimumPauseSeconds
        return paused
    }

    /// Throws when `record` shows a live lease of another run (one this run did not write).
    private func refuseLiveLease(of record: CredentialRecord, unless mine: Set<String>) throws {
        guard let other = record.lease, !mine.contains(other.id) else { return }
        let now = serviceNow()
        if !other.yields(to: run, at: now) {
            throw RotationFailure.leaseHeld(holder: other.holder, until: other.expires, record: store.secretName)
        }
        if other.isLive(at: now) {
            output.info(
                "The record's lease belongs to an earlier attempt of this job (\(other.holder)); taking it over.")
        }
    }

    /// `current` with this run's additions, a new lease and the intent written with it.
    private func leased(_ current: CredentialRecord, names: [String]) -> (CredentialRecord, Lease) {
        let now = serviceNow()
        let lease = Lease(
            id: UUID().uuidString.lowercased(), holder: run.description, job: run.job, acquired: now,
            expires: now.addingTimeInterval(leaseSeconds))
        var next = additions.applied(to: current)
        next.lease = lease
        next.intents.append(
            Intent(id: lease.id, run: run.description, opened: now, closes: lease.expires, names: names))
        return (next, lease)
    }

    /// Writes the record back: the lease released (kept, marked released, so a run that loaded
    /// the record before can tell another held it), this run's intent settled with the ids it
    /// created that are live and stored nowhere (`left`), and other intents dropped where
    /// `resolved` says so; with `keepOpen` (a create may still land) this run's intent stays open
    /// for the next run. Nothing is written when this run took no lease. A failed write is a
    /// warning: the lease then expires by itself.
    func release(left: [String], keepOpen: Bool = false, resolved: @Sendable (Intent) -> Bool) async {
        // A lease still being taken (begun early, then the run failed) is taken, then given back.
        _ = try? await acquisition?.value
        guard var lease else { return }
        lease.released = true
        var final = additions.applied(to: record)
        final.lease = lease
        final.intents = RecordPruning.settled(
            final.intents, mine: keepOpen ? nil : lease.id, left: left, now: serviceNow()
        ) { $0.id != lease.id && resolved($0) }
        final = RecordPruning.fitted(final)
        do {
            // Giving the lease back goes on after a stop request, within the undo deadline: a lease
            // left behind would stop the scope's other runs until it expires.
            let store = self.store
            let record = final
            try await Cancellation.undoing { @Sendable in try await store.write(record) }
            self.lease = nil
        } catch {
            output.warning(
                "Could not write the record to Key Vault secret '\(store.secretName)' (\(error)); its lease runs out at \(Timestamp.format(lease.expires)) by itself, and the next run reads what this one learned again."
            )
        }
    }
}

/// What taking the lease means for the observation a change was decided on.
enum LeasePreparation: Sendable, Equatable {
    /// It stands.
    case stands
    /// The record changed (what this run learned, taking the lease): lay it over the observation.
    case recordChanged(CredentialRecord)
    /// Another run held the lease since the observation: observe afresh before changing anything.
    case observeAgain

    /// The observation the loop goes on from: nil when `observation` stands, `observation` with the
    /// changed record laid over it (`lay`), or a fresh one (`observeAgain`).
    func next<Observation>(
        after observation: Observation, lay: (inout Observation, CredentialRecord) -> Void,
        observeAgain: () async throws -> Observation
    ) async rethrows -> Observation? {
        switch self {
        case .stands:
            return nil
        case .recordChanged(let record):
            var next = observation
            lay(&next, record)
            return next
        case .observeAgain:
            return try await observeAgain()
        }
    }
}

/// What a run learned about its scope, laid over whichever record it writes.
struct RecordAdditions: Sendable {
    var holders: [ConnectionHolder] = []
    var unmanaged: [String] = []
    var bystanders: [Bystander] = []

    /// `record` with these additions.
    func applied(to record: CredentialRecord) -> CredentialRecord {
        var result = record
        for holder in holders { result.record(holder) }
        result.recordUnmanaged(unmanaged)
        result.recordBystanders(bystanders)
        return result
    }
}
