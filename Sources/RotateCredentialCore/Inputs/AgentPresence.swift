/// Whether the process runs as a step of an Azure Pipelines job.
///
/// The agent always sets `TF_BUILD=True`, `AGENT_ID` and `AGENT_TEMPDIRECTORY` for a task. Without
/// them `##vso[task.setsecret]` masks nothing: it is plain text in whatever log collects stdout
/// (cron, a container runtime), so the task prints no secret value at all.
enum AgentPresence {
    /// The variables any one of which marks a job run by the agent.
    static let markers = ["TF_BUILD", "AGENT_ID", "AGENT_TEMPDIRECTORY"]

    /// Whether `environment` is a job's.
    static func isUnderAgent(_ environment: [String: String]) -> Bool {
        markers.contains { environment[$0]?.isEmpty == false }
    }
}
