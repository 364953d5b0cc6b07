/// The option groups of the task's inputs, as an action's descriptor names the ones it reads
/// (``ActionDescriptor/reads``). Every input is read and checked whatever the action, so a wrong
/// value is named even where the action would ignore it; the groups decide the few readings that
/// differ between actions.
enum InputGroup: Sendable, Hashable {
    /// `azureSubscription`, `tenantId`, `clientId`, `clientSecret`, the PAT owner's inputs and
    /// `azureDevOpsIdentity` (``Identities``).
    case identities
    /// `signInFlow`, with `tenantId` and `clientId` as the public client the PAT owner signs in
    /// with: for an action that reads this group both are required and checked.
    case patOwnerSignIn
    /// `keyVaultName` or `keyVaultUrl`, and `secretName` (``KeyVaultTarget``).
    case keyVault
    /// `tokenDisplayNames` and `scope` (``PatSelectionOptions``).
    case patSelection
    /// `renewWithinDays`, `validityDays` and `graceHours` (``LifetimeOptions``).
    case lifetimes
    /// `applicationId`, `secretDisplayName`, `replicationTimeoutSeconds` and `keepSecrets`
    /// (``ClientSecretOptions``).
    case clientSecret
    /// `project`, `serviceConnections`, `convertAutomaticConnections`,
    /// `allowForeignServiceConnections` and `servicePrincipalKey` (``ConnectionOptions``).
    case connections
    /// `removeSecretAfterConversion` (``ConversionOptions``): refused by an action that does not
    /// read it, since it would promise a removal that never happens.
    case conversion
    /// The job's OIDC endpoint and access token (`SYSTEM_OIDCREQUESTURI`, `SYSTEM_ACCESSTOKEN`),
    /// read to prove converted connections (``ConversionOptions/pipelineOIDC``).
    case pipelineOIDC
}
