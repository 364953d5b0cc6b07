/// Whether a planned change would be allowed, decided from what the services answered: pure
/// functions with table tests (`AccessDecisionTests`). Nil inputs mean the service could not be asked.
enum AccessDecision {
    /// Writing a service connection needs the Administrator role on it (G7): assigned to the
    /// identity in the project or the organization, or through a group (`mayManage`, Azure DevOps'
    /// answer to `actionFilter=manage`).
    static func connection(
        _ subject: String, name: String, identity: AzureDevOpsIdentity?, roles: [RoleAssignment]?,
        organizationRoles: [RoleAssignment]?, mayManage: Bool?
    ) -> AccessFinding {
        guard let identity else {
            return AccessFinding(
                verdict: mayManage == false ? .refused : mayManage == true ? .allowed : .unknown, subject: subject,
                text: "Azure DevOps did not say who the caller is; the role could not be read",
                fix: mayManage == false ? connectionFix(name, who: "the identity the step runs as") : nil)
        }
        let own = { (assignments: [RoleAssignment]?) in
            assignments?.filter { $0.identityId.lowercased() == identity.id.lowercased() }.map(\.role) ?? []
        }
        let who = "'\(identity.displayName)'"
        if own(organizationRoles).contains("Administrator") {
            return AccessFinding(
                verdict: .allowed, subject: subject, text: "\(who) is an Administrator of it at organization level")
        }
        if own(roles).contains("Administrator") {
            return AccessFinding(verdict: .allowed, subject: subject, text: "\(who) is an Administrator of it")
        }
        let held = Set(own(roles) + own(organizationRoles)).sorted()
        let role =
            roles == nil && organizationRoles == nil
            ? "a role the roles list did not show"
            : held.isEmpty
                ? "no role of its own on it" : "the role \(held.joined(separator: ", ")) on it"
        switch mayManage {
        case true?:
            return AccessFinding(
                verdict: .allowed, subject: subject,
                text:
                    "\(who) has \(role), and the Administrator role through a group (Azure DevOps lets it manage the connection)"
            )
        case false?:
            return AccessFinding(
                verdict: .refused, subject: subject,
                text: "\(who) has \(role); writing the connection's secret needs the Administrator role",
                fix: connectionFix(name, who: who))
        case nil:
            return AccessFinding(
                verdict: .unknown, subject: subject,
                text: "\(who) has \(role); whether a group gives it the Administrator role could not be asked")
        }
    }

    private static func connectionFix(_ name: String, who: String) -> String {
        "Give \(who) the Administrator role on service connection '\(name)' (Project settings > Service connections > \(name) > Security; docs/permissions.md G7)."
    }

    /// Changing an application's credentials as an application needs ownership with
    /// `Application.ReadWrite.OwnedBy`, or `Application.ReadWrite.All` (G6); the token's `roles`
    /// claim tells the permission, the owners list the ownership.
    static func application(_ subject: String, identity: String, claims: AccessTokenClaims, owners: [DirectoryObject]?)
        -> AccessFinding
    {
        let who = identity
        if claims.roles.contains("Application.ReadWrite.All") {
            return AccessFinding(verdict: .allowed, subject: subject, text: "\(who) holds Application.ReadWrite.All")
        }
        let ownedBy = claims.roles.contains("Application.ReadWrite.OwnedBy")
        let owner = owners.map { list in
            list.contains {
                $0.id.lowercased() == claims.objectId?.lowercased()
                    || ($0.appId != nil && $0.appId?.lowercased() == claims.appId?.lowercased())
            }
        }
        switch (owner, ownedBy) {
        case (true?, true):
            return AccessFinding(
                verdict: .allowed, subject: subject,
                text: "\(who) is an owner of it and holds Application.ReadWrite.OwnedBy")
        case (nil, true):
            return AccessFinding(
                verdict: .unknown, subject: subject,
                text: "\(who) holds Application.ReadWrite.OwnedBy; whether it is an owner could not be read")
        default:
            var missing: [String] = []
            if owner == false { missing.append("it is not an owner of the application") }
            if !ownedBy {
                missing.append("its token carries neither Application.ReadWrite.OwnedBy nor Application.ReadWrite.All")
            }
            return AccessFinding(
                verdict: .refused, subject: subject,
                text: "\(who) may not change it: \(missing.joined(separator: "; "))",
                fix:
                    "Grant Application.ReadWrite.OwnedBy with admin consent and add the identity's service principal as an owner of the application (docs/permissions.md G6)."
            )
        }
    }

    /// Writing a Key Vault secret needs Key Vault Secrets Officer (G5). Key Vault has no way to ask
    /// about a write without writing; a read of the secret's versions tells whether the identity
    /// may read (Secrets User or more) or has no role at all (`readable` false).
    static func secret(_ subject: String, identity: String, readable: Bool?) -> AccessFinding {
        switch readable {
        case true?:
            return AccessFinding(
                verdict: .unconfirmed, subject: subject,
                text:
                    "\(identity) may read it (Key Vault Secrets User or more); writing it needs Key Vault Secrets Officer, which only a write tells (docs/permissions.md G5)"
            )
        case false?:
            return AccessFinding(
                verdict: .refused, subject: subject,
                text: "\(identity) may not even read it (Key Vault answered 403); the run writes it",
                fix: "Give the identity Key Vault Secrets Officer on the vault (docs/permissions.md G5).")
        case nil:
            return AccessFinding(
                verdict: .unknown, subject: subject,
                text: "Key Vault could not be asked whether \(identity) may read it")
        }
    }

    /// Creating, extending and revoking PATs needs the delegated permission `vso.pats_manage` (G2);
    /// the owner's token names its delegated permissions (`scp`).
    static func pats(_ subject: String, owner: String, scopes: [String]) -> AccessFinding {
        if scopes.contains("vso.pats_manage") {
            return AccessFinding(
                verdict: .allowed, subject: subject, text: "the token of \(owner) carries vso.pats_manage")
        }
        if scopes.contains("vso.pats") {
            return AccessFinding(
                verdict: .refused, subject: subject,
                text:
                    "the token of \(owner) carries vso.pats (reading PATs only); creating and revoking them needs vso.pats_manage",
                fix:
                    "Add the delegated Azure DevOps permission vso.pats_manage to the PAT client, grant admin consent, and sign the PAT owner in again (docs/permissions.md G2)."
            )
        }
        if scopes.contains("user_impersonation") {
            return AccessFinding(
                verdict: .unknown, subject: subject,
                text:
                    "the token of \(owner) carries user_impersonation, not vso.pats_manage, which Azure DevOps now asks for PAT management (docs/permissions.md G2)"
            )
        }
        return AccessFinding(
            verdict: .unconfirmed, subject: subject,
            text:
                "the token of \(owner) names no delegated permissions; only the change can tell (docs/permissions.md G2)"
        )
    }
}
