/// Which run this is, for the lease in the task's record: the agent job (plan id and job id)
/// under an agent, and words that let a person find the run.
struct RunIdentity: Sendable, Equatable {
    /// Plan id and job id; nil outside an agent. A later attempt of the same job has the same.
    var job: String?
    /// "pipeline 'weekly-rotation', build 4242, job 6666…, attempt 1".
    var description: String

    /// A run outside any agent (tests, library callers).
    init() {
        job = nil
        description = "a run outside a pipeline"
    }

    /// The run the agent's variables describe (`SYSTEM_PLANID`, `SYSTEM_JOBID`, `BUILD_BUILDID`,
    /// `BUILD_DEFINITIONNAME`, `SYSTEM_JOBATTEMPT`).
    init(environment: [String: String]) {
        let value = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let plan = value("SYSTEM_PLANID"), let job = value("SYSTEM_JOBID") else {
            job = nil
            description = "a run outside a pipeline" + (value("HOSTNAME").map { " on \($0)" } ?? "")
            return
        }
        self.job = "\(plan.lowercased())/\(job.lowercased())"
        let parts = [
            value("BUILD_DEFINITIONNAME").map { "pipeline '\($0)'" }, value("BUILD_BUILDID").map { "build \($0)" },
            "job \(job)", value("SYSTEM_JOBATTEMPT").map { "attempt \($0)" },
        ]
        description = parts.compactMap { $0 }.joined(separator: ", ")
    }
}
