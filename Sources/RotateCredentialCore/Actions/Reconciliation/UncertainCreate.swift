/// The one reconciler for creates that got no certain answer, shared by PATs and client secrets.
///
/// A create is not idempotent: after a timeout, a dropped connection or a 5xx the credential may
/// exist anyway, live, with a value nobody received. So the source is read again (more than
/// once: a request that timed out may be processed a moment later); a credential of ours that was
/// not there before the create is what it made, and is taken back at once. Then the create is
/// tried once more; a second uncertain answer fails with ``RotationFailure/uncertainCreate``.
/// Identification is by id (known before, present after), so no clock is compared.
struct UncertainCreate: Sendable {
    let output: PipelineOutput
    let clock: any WallClock
    /// What is created, for messages ("PAT 'nightly'").
    let credential: String
    /// What kind of thing, for messages ("PAT", "secret").
    var kind: String = "credential"
    /// Seconds (on the clock, not by the waits) the source is looked at before "nothing was
    /// created" is believed: a source whose reads lag its writes (Graph) needs longer than the waits.
    var settleSeconds: Double = 0

    /// Seconds to wait before each look at the source after an uncertain create.
    static let checkWaits: [Double] = [0, 3, 7]

    /// Whether a failed create may have created the credential anyway.
    static func isUncertain(_ error: ServiceError) -> Bool {
        [.transport, .serverFailure, .malformedResponse].contains(error.kind)
    }

    /// Creates with `create`. `list` returns the ids of credentials that could be ours (same
    /// name); `known` are those seen before; `remove` takes one back. `doubted`: a first attempt
    /// got no certain answer, so what it made may still land after the checks (the run then keeps
    /// its intent open, and the next run removes it).
    func run<Created: Sendable>(
        known: Set<String>,
        create: @Sendable () async -> Result<Created, ServiceError>,
        list: @Sendable () async throws -> [String],
        remove: @Sendable (String) async throws -> Void
    ) async throws -> (created: Created, doubted: Bool) {
        var attempt = 1
        while true {
            let error: ServiceError
            switch await create() {
            case .success(let created): return (created, attempt > 1)
            case .failure(let failure): error = failure
            }
            guard Self.isUncertain(error) else { throw error }
            let (removed, live) = try await takeBack(known: known, after: error, list: list, remove: remove)
            if !live.isEmpty || attempt == 2 {
                throw RotationFailure.uncertainCreate(
                    credential: credential, error: "\(error)", removed: removed, live: live)
            }
            output.info("Creating \(credential) again…")
            attempt += 1
        }
    }

    private func takeBack(
        known: Set<String>, after error: ServiceError, list: @Sendable () async throws -> [String],
        remove: @Sendable (String) async throws -> Void
    ) async throws -> (removed: [String], live: [String]) {
        output.info(
            "Creating \(credential) got no certain answer (\(error.kind)); checking whether it was created anyway…")
        let knownIds = Set(known.map { $0.lowercased() })
        var strays: [String] = []
        var stopwatch = WaitProgress(
            clock: clock, output: output, waitingFor: "\(credential) to show up, if the create went through",
            atMostSeconds: max(Self.checkWaits.reduce(0, +), settleSeconds))
        var look = 0
        while look < Self.checkWaits.count || stopwatch.elapsed < settleSeconds {
            let wait = Self.checkWaits[min(look, Self.checkWaits.count - 1)]
            look += 1
            if wait > 0 { try? await stopwatch.pause(wait) }
            do {
                strays = try await list().filter { !knownIds.contains($0.lowercased()) }
            } catch let listError {
                throw RotationFailure.uncertainCreateUnchecked(
                    credential: credential, error: "\(error)", listError: "\(listError)")
            }
            if !strays.isEmpty { break }
        }
        guard !strays.isEmpty else {
            output.info(
                "Checked \(Int(max(Self.checkWaits.reduce(0, +), settleSeconds))) seconds long: no new \(kind) was created (nothing was created)."
            )
            return ([], [])
        }
        var removed: [String] = []
        var live: [String] = []
        for stray in strays {
            output.info("\(credential) (\(stray)) was created although its value never arrived; taking it back…")
            do {
                try await remove(stray)
                removed.append(stray)
            } catch {
                output.info("Taking back \(stray) failed: \(error)")
                live.append(stray)
            }
        }
        return (removed, live)
    }
}
