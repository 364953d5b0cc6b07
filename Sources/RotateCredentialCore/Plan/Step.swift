/// One step of a ``Plan``: a read or a change, and for a change that creates something, how to
/// take it back while it is not yet stored anywhere.
struct Step: Sendable {
    /// Whether the step changes anything. Dry runs skip changes and log them instead.
    enum Effect: Sendable {
        /// Reads only, after the plan's changes (a check of what they did): skipped in dry runs.
        case read
        /// Reads only, independent of any change (a look around): runs in dry runs too.
        case inspect
        /// Changes something: skipped in dry runs.
        case change
    }

    /// What the step does, as the log says it ("Create a replacement for PAT 'nightly'").
    let title: String
    /// Read or change.
    let effect: Effect
    /// When true, a success means every credential created so far is safely stored: their
    /// compensations are dropped, and a later failure leaves them in place.
    let secures: Bool
    /// What the change needs from the services; a dry run asks whether they would allow it
    /// (``AccessCheck``).
    let needs: [AccessNeed]
    let perform: @Sendable (PlanProgress) async throws -> StepResult
    /// When set, the step runs (and is logged) only when this holds for what the plan's earlier
    /// steps did; otherwise it is passed over in silence.
    var condition: (@Sendable (PlanProgress) -> Bool)? = nil

    init(
        title: String, effect: Effect, secures: Bool, needs: [AccessNeed] = [],
        perform: @escaping @Sendable (PlanProgress) async throws -> StepResult
    ) {
        self.title = title
        self.effect = effect
        self.secures = secures
        self.needs = needs
        self.perform = perform
    }

    /// A step that changes something and may return how to undo it.
    static func change(
        _ title: String, secures: Bool = false, _ perform: @escaping @Sendable () async throws -> Compensation?
    ) -> Step {
        Step(title: title, effect: .change, secures: secures) { _ in StepResult(compensation: try await perform()) }
    }

    /// A step that reads what earlier steps of its plan did (``PlanProgress``) and reports its own
    /// effects; a change names what it `needs` from the services.
    static func acting(
        _ title: String, effect: Effect = .change, secures: Bool = false, needs: [AccessNeed] = [],
        _ perform: @escaping @Sendable (PlanProgress) async throws -> StepResult
    ) -> Step {
        Step(title: title, effect: effect, secures: secures, needs: needs, perform: perform)
    }

    /// This step, run only when `condition` holds for what the plan's earlier steps did (a read
    /// back after a change that may not have happened).
    func only(when condition: @escaping @Sendable (PlanProgress) -> Bool) -> Step {
        var step = self
        step.condition = condition
        return step
    }

    /// A step that only reads (a verification, for instance).
    static func read(
        _ title: String, secures: Bool = false, _ perform: @escaping @Sendable () async throws -> Void
    )
        -> Step
    {
        Step(title: title, effect: .read, secures: secures) { _ in
            try await perform()
            return StepResult()
        }
    }
}

/// How to undo a change that must not linger when a later step fails (a token just created and
/// not yet stored), and what is left behind if even the undo fails.
struct Compensation: Sendable {
    /// What the undo does ("revoke the new PAT … (authorization id …)").
    let title: String
    /// What stays live if the undo fails, named exactly ("PAT 'x', authorization id …, is live and stored nowhere").
    let leftBehind: String
    /// The id of the credential the undo takes back, reported as ``StepEffect/tookBack(_:)``.
    let takesBack: String?
    let perform: @Sendable () async throws -> Void

    /// Creates a compensation; `takesBack` names the credential it removes, if any.
    init(
        _ title: String, leftBehind: String, takesBack: String? = nil,
        _ perform: @escaping @Sendable () async throws -> Void
    ) {
        self.title = title
        self.leftBehind = leftBehind
        self.takesBack = takesBack
        self.perform = perform
    }
}

/// Thrown by a compensation that decides not to undo: the new credential turned out to be stored
/// where consumers read it (a write landed although its answer never arrived), so undoing it
/// would break them. The runner reports it as kept, with the reason.
struct CompensationDeclined: Error, Sendable {
    /// Why the credential stays, naming it.
    let reason: String

    /// Creates the error.
    init(_ reason: String) {
        self.reason = reason
    }
}
