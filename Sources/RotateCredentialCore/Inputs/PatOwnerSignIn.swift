/// The PAT owner's interactive sign-in, kept alive as a refresh token in Key Vault
/// (`patOwnerRefreshTokenSecret`): written by `pat-owner-login`, renewed by every PAT action.
struct PatOwnerSignIn: Sendable {
    /// How `pat-owner-login` signs the user in.
    enum Flow: String, Sendable, CaseIterable {
        /// Device code: the user opens a page anywhere and types a code (pipelines and workstations).
        case deviceCode
        /// Authorization code with PKCE and a loopback redirect, as `az login` does (workstations only).
        case browser
    }

    /// The Key Vault secret holding the refresh token.
    var secretName: String
    /// Tenant of the public client; the secret's `tenant` tag wins when present.
    var tenantId: String?
    /// The public client (application id); the secret's `client` tag wins when present.
    var clientId: String?
    /// The sign-in flow of `pat-owner-login`.
    var flow: Flow
    /// The pipeline running now (`BUILD_DEFINITIONNAME`), recorded so that a later failure can name
    /// the pipeline to run again.
    var pipelineName: String?
    /// Whether the task runs on a pipeline agent (``AgentPresence``), where no browser can be opened.
    var onAgent: Bool
}
