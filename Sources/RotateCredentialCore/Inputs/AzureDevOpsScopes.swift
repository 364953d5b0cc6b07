/// The scopes a personal access token can carry, as the `scope` input names them: a list of known
/// scope tokens separated by spaces, on one line.
///
/// Sources, copied here: the scopes table of Microsoft Learn "Authorize access to REST APIs with
/// OAuth 2.0" (MicrosoftDocs/azure-devops-docs `docs/integrate/includes/scopes.md`, commit
/// 0741e44566e64611f40bc213b8632267e9b72049, dated 2025-07-16); `vso.pats` and `vso.pats_manage`
/// from the PAT Lifecycle Management API 7.2 (`EntraOAuth` security) and the release notes that
/// introduced them (Sprint 257); `app_token`, full access, from the PAT API's examples
/// (vsts-rest-api-specs `specification/tokens/7.1/httpExamples/Pats/CreatePat.json`).
enum AzureDevOpsScopes {
    /// Every known scope token.
    static let known: Set<String> = [
        "vso.advsec", "vso.advsec_write", "vso.advsec_manage",
        "vso.agentpools", "vso.agentpools_manage", "vso.environment_manage",
        "vso.analytics",
        "vso.auditlog", "vso.auditstreams_manage",
        "vso.build", "vso.build_execute",
        "vso.code", "vso.code_write", "vso.code_manage", "vso.code_full", "vso.code_status",
        "vso.connected_server",
        "vso.entitlements", "vso.memberentitlementmanagement", "vso.memberentitlementmanagement_write",
        "vso.extension", "vso.extension_manage", "vso.extension.data", "vso.extension.data_write",
        "vso.githubconnections", "vso.githubconnections_manage",
        "vso.graph", "vso.graph_manage", "vso.identity", "vso.identity_manage",
        "vso.machinegroup_manage",
        "vso.gallery", "vso.gallery_acquire", "vso.gallery_publish", "vso.gallery_manage",
        "vso.notification", "vso.notification_write", "vso.notification_manage", "vso.notification_diagnostics",
        "vso.packaging", "vso.packaging_write", "vso.packaging_manage",
        "vso.pipelineresources_use", "vso.pipelineresources_manage",
        "vso.project", "vso.project_write", "vso.project_manage",
        "vso.release", "vso.release_execute", "vso.release_manage",
        "vso.securefiles_read", "vso.securefiles_write", "vso.securefiles_manage",
        "vso.security_manage",
        "vso.serviceendpoint", "vso.serviceendpoint_query", "vso.serviceendpoint_manage",
        "vso.hooks", "vso.hooks_write", "vso.hooks_interact",
        "vso.settings", "vso.settings_write",
        "vso.symbols", "vso.symbols_write", "vso.symbols_manage",
        "vso.taskgroups_read", "vso.taskgroups_write", "vso.taskgroups_manage",
        "vso.dashboards", "vso.dashboards_manage",
        "vso.test", "vso.test_write",
        "vso.threads_full",
        "vso.tokens", "vso.tokenadministration",
        "vso.profile", "vso.profile_write",
        "vso.variablegroups_read", "vso.variablegroups_write", "vso.variablegroups_manage",
        "vso.wiki", "vso.wiki_write",
        "vso.work", "vso.work_write", "vso.work_full",
        "user_impersonation",
        "vso.pats", "vso.pats_manage",
        "app_token",
    ]

    /// What is wrong with `text` as a scope list (a line break or tab, an unknown token), naming
    /// what is expected; nil when it is a list of known tokens separated by spaces.
    static func problem(_ text: String) -> String? {
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace && $0 != " " }) {
            return
                "'\(text)' has a line break or tab: give the scopes on one line, separated by spaces (e.g. vso.code vso.packaging)."
        }
        let unknown = tokens(text).filter { !known.contains($0) }
        guard !unknown.isEmpty else { return nil }
        let listed = unknown.map { "'\($0)'" }.joined(separator: ", ")
        let verb = unknown.count == 1 ? "is not an Azure DevOps scope" : "are not Azure DevOps scopes"
        return
            "\(listed) \(verb): give known scope tokens separated by spaces, such as vso.code or vso.packaging_write (the list: Microsoft Learn, \"Authorize access to REST APIs with OAuth 2.0\", Scopes)."
    }

    /// The tokens of `text`, as the scope of a new token sends them: separated by single spaces.
    static func normalized(_ text: String) -> String {
        tokens(text).joined(separator: " ")
    }

    private static func tokens(_ text: String) -> [String] {
        text.split(separator: " ").map(String.init)
    }
}
