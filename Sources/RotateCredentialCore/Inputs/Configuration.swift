/// Everything one run needs, read once from the environment and validated before any call. The
/// inputs come in option groups that the actions share (as swift-argument-parser's `@OptionGroup`
/// does): an action reads the groups it needs, never a copy of another group's values.
struct Configuration: Sendable {
    /// The action to perform (the `action` input).
    var action: ActionName
    /// Read everything, change nothing.
    var dryRun: Bool
    /// `SYSTEM_DEBUG`: write `##[debug]` lines (never secrets).
    var debug: Bool
    /// Azure DevOps organization name.
    var organization: String
    /// Project holding the service connections.
    var project: String?
    /// Where each service lives.
    var urls: ServiceURLs
    /// Who the task is towards each service.
    var identities: Identities
    /// Where new values are stored.
    var keyVault: KeyVaultTarget?
    /// Which PATs, and the scope of new ones.
    var pat: PatSelectionOptions
    /// When credentials are due, how long new ones live, how long old ones stay (PATs and client secrets).
    var lifetimes: LifetimeOptions
    /// The application and its client secrets.
    var clientSecret: ClientSecretOptions
    /// The service connections to write, and how.
    var connections: ConnectionOptions
    /// Options of `service-connection-convert`.
    var conversion: ConversionOptions
    /// Path of the JSON report.
    var reportPath: String
    /// Directory for temporary files (summaries).
    var temporaryDirectory: String
    /// Path of this step's run summary (unique per step, see ``StepFiles``).
    var summaryPath: String
    /// Credentials processed at the same time.
    var maxParallel: Int
    /// HTTP settings.
    var http: HTTPSettings
    /// Whether the task runs under a pipeline agent (``AgentPresence``); outside one no secret
    /// value is printed, not even in a `setsecret` command.
    var underAgent: Bool
    /// Which run this is (for the lease in the task's record).
    var run = RunIdentity()

    /// The vault with the identity that reads and writes it: the Azure identity, else (PAT
    /// actions, whose owner may use the vault) the PAT owner; nil without a vault or an identity.
    var keyVaultAccess: KeyVaultAccess? {
        guard let keyVault, let credential = identities.azure ?? identities.patOwner else { return nil }
        return KeyVaultAccess(
            url: keyVault.url, secretNameTemplate: keyVault.secretNameTemplate, credential: credential)
    }
}

/// Base URLs of the services, with the organization already appended where the service needs it.
struct ServiceURLs: Sendable, Equatable {
    /// Entra authority host, e.g. `https://login.microsoftonline.com`.
    var authorityHost: URL
    /// Microsoft Graph root, e.g. `https://graph.microsoft.com`.
    var graph: URL
    /// `https://dev.azure.com/{organization}`.
    var azureDevOpsOrganization: URL
    /// `https://vssps.dev.azure.com/{organization}`.
    var vsspsOrganization: URL
    /// Scope for Key Vault tokens, e.g. `https://vault.azure.net/.default`.
    var keyVaultScope: String
}
