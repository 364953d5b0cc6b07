/// Every input of the task, in `task.json` order. A test proves the two agree input for input.
enum InputCatalogue {
    /// The inputs.
    static let all: [InputDefinition] = [
        .init(
            "action", .pickList(ActionRegistry.standard.names.map(\.rawValue)), required: true, default: "pat-list",
            "What to do."),
        .init(
            "organization", .string,
            "Organization name, or its URL on azureDevOpsUrl's host (default: from SYSTEM_COLLECTIONURI)."),
        .init("project", .string, "Project holding the service connections (default: SYSTEM_TEAMPROJECT)."),
        .init(
            "dryRun", .boolean, default: "false",
            "Read everything, change nothing, log what would be done and check access."),
        .init(
            "azureSubscription", .azureResourceManagerConnection,
            "Azure Resource Manager service connection: the identity for Graph and Key Vault."),
        .init("tenantId", .string, "Entra tenant id (outside pipelines, and for the password flow)."),
        .init("clientId", .string, "Application (client) id (outside pipelines, and for the password flow)."),
        .init("clientSecret", .string, secret: true, "Client secret of clientId."),
        .init("patOwnerUsername", .string, "Technical user whose PATs are managed (password flow)."),
        .init("patOwnerPassword", .string, secret: true, "Password of patOwnerUsername."),
        .init(
            "patOwnerAccessToken", .string, secret: true,
            "Entra access token of the PAT owner for Azure DevOps, from an earlier step."),
        .init(
            "patOwnerRefreshTokenSecret", .string,
            "Key Vault secret holding the PAT owner's refresh token (written by pat-owner-login, renewed by every run)."
        ),
        .init(
            "signInFlow", .pickList(PatOwnerSignIn.Flow.allCases.map(\.rawValue)), default: "deviceCode",
            "pat-owner-login: deviceCode, or browser (authorization code with PKCE; workstations only)."),
        .init(
            "azureDevOpsIdentity", .pickList(["systemAccessToken", "azureSubscription"]),
            default: "systemAccessToken", "Identity used to update service connections."),
        .init("keyVaultName", .string, "Key Vault that receives every new value."),
        .init("secretName", .string, "Key Vault secret name, or a template with {displayName}."),
        .init("tokenDisplayNames", .multiLine, "PAT display names, one per line; * is a wildcard."),
        .init(
            "renewWithinDays", .integer(0...3650), default: "7",
            "Act only on credentials expiring within this many days (0 = always)."),
        .init("validityDays", .integer(1...3650), default: "30", "Lifetime of renewed or new credentials, in days."),
        .init("scope", .string, "Scopes of new PATs: known scope tokens, space separated (default: the old token's)."),
        .init(
            "graceHours", .integer(0...8760), default: "24",
            "Hours a replacement must exist before the old credential is revoked."),
        .init("applicationId", .string, "Application (client) id or object id of the app whose secret is rotated."),
        .init(
            "secretDisplayName", .string,
            "Display name of the new client secret, at most 256 characters (default: rotate-credential and the date)."),
        .init(
            "replicationTimeoutSeconds", .integer(0...3600), default: "300",
            "How long to wait for a new client secret to work."),
        .init("keepSecrets", .integer(1...100), default: "2", "Client secrets always kept, newest first."),
        .init("serviceConnections", .multiLine, "Service connection names, one per line."),
        .init(
            "convertAutomaticConnections", .boolean, default: "false",
            "Convert Automatic service connections to Manual (permanent) so their secret can be set."),
        .init(
            "allowForeignServiceConnections", .boolean, default: "false",
            "Also update connections whose service principal is not applicationId."),
        .init(
            "removeSecretAfterConversion", .boolean, default: "false",
            "service-connection-convert: after graceHours, remove the client secret the converted connections used, unless Key Vault or another secret-based connection may hold it."
        ),
        .init(
            "servicePrincipalKey", .string, secret: true,
            "Secret to write into the service connections (default: read from Key Vault secretName)."),
        .init("reportPath", .string, "Path of the JSON report (default: one per step in Agent.TempDirectory)."),
        .init("maxParallel", .integer(1...64), default: "8", "Credentials processed at the same time."),
        .init("requestTimeoutSeconds", .integer(1...600), default: "60", "Timeout of one HTTP request, in seconds."),
        .init("authorityHost", .string, default: "https://login.microsoftonline.com", "Entra authority host."),
        .init("graphUrl", .string, default: "https://graph.microsoft.com", "Microsoft Graph URL."),
        .init(
            "azureDevOpsUrl", .string, default: "https://dev.azure.com",
            "Azure DevOps URL; the organization is appended."),
        .init(
            "vsspsUrl", .string, default: "https://vssps.dev.azure.com",
            "Azure DevOps VSSPS URL (PAT API); the organization is appended."),
        .init("keyVaultUrl", .string, "Full vault URL; wins over keyVaultName."),
    ]

    /// The definition named `name`.
    static func definition(_ name: String) -> InputDefinition {
        guard let definition = all.first(where: { $0.name == name }) else {
            preconditionFailure("No input named \(name) in the catalogue")
        }
        return definition
    }
}
