/// The run changing a scope now: written into the ``CredentialRecord`` before any change, so a
/// second run at the same time finds it and stops before changing anything. Key Vault has no
/// conditional writes; ``RecordKeeper`` takes a lease with a timed protocol (see there).
struct Lease: Codable, Sendable, Equatable {
    /// This acquisition's id.
    var id: String
    /// Who holds it, for people ("pipeline 'rotate', build 4242, job 'rotate' (attempt 1)").
    var holder: String
    /// The agent job that holds it (plan id and job id), nil outside an agent: a later attempt
    /// of the same job takes the lease over (the agent runs one attempt of a job at a time).
    var job: String?
    /// When it was taken and until when it holds (the services' time).
    var acquired: Date
    var expires: Date
    /// Whether its run gave it back (it is kept in the record, so a run that read the record
    /// before can tell another run held it meanwhile).
    var released = false

    /// Whether it still holds at `now`.
    func isLive(at now: Date) -> Bool { !released && expires > now }

    /// Whether `run` may take it over now: it expired, or `run` is a later attempt of its job.
    func yields(to run: RunIdentity, at now: Date) -> Bool {
        !isLive(at: now) || (job != nil && job == run.job)
    }
}

/// What a run set out to create, written before the create call: a credential started inside
/// an intent's window whose name it covers is the task's own. A run settles its intent when it
/// ends: it keeps only the ids it created that are still live and stored nowhere (`left`); an
/// intent a run never settled (it was killed) covers its whole window.
struct Intent: Codable, Sendable, Equatable {
    /// Its id.
    var id: String
    /// The run, for people.
    var run: String
    /// The window (the services' time): nothing of this intent starts before `opened` or after
    /// `closes` (the lease's expiry).
    var opened: Date
    var closes: Date
    /// What it creates: display-name patterns (`*` wildcards), compared without case.
    var names: [String]
    /// Whether the run ended and settled it.
    var settled = false
    /// Settled: ids (lower-cased) it created that are live and stored nowhere.
    var left: [String] = []

    /// Slack before `opened`: the intent is written before the create call, on the services'
    /// clock as their `Date` headers give it (whole seconds). Kept small on purpose: a credential
    /// that falls outside is taken for a person's and left alone, while one a previous run made
    /// just before must never fall inside.
    static let slackBefore: TimeInterval = 2
    /// Slack after `closes`, for a create that landed late or a source clock that runs ahead.
    static let slackAfter: TimeInterval = 120

    /// Whether the credential `id`, named `name`, started at `start`, is this intent's.
    func covers(id: String, name: String, start: Date) -> Bool {
        if settled { return left.contains(id.lowercased()) }
        guard start >= opened.addingTimeInterval(-Self.slackBefore),
            start <= closes.addingTimeInterval(Self.slackAfter)
        else { return false }
        return names.contains { NamePattern($0).matches(name) }
    }
}
