import Foundation
import Testing

@testable import RotateCredentialCore

/// The access check's decisions (#25): what the services answered in, allowed / refused /
/// unconfirmed / unknown out, and a refusal names what is missing and the fix.
@Suite struct AccessDecisionTests {
    static let me = AzureDevOpsIdentity(id: "aaaa-1", displayName: "Platform Build Service (contoso)")

    static func role(_ name: String, for id: String = "aaaa-1", inherited: Bool = false) -> RoleAssignment {
        RoleAssignment(identityId: id, identityName: id, role: name, inherited: inherited)
    }

    struct ConnectionCase: Sendable, CustomStringConvertible {
        var description: String
        var roles: [RoleAssignment]?
        var organization: [RoleAssignment]?
        var mayManage: Bool?
        var verdict: AccessFinding.Verdict
        var says: String
    }

    static let connectionCases: [ConnectionCase] = [
        .init(
            description: "Administrator in the project", roles: [role("Administrator")], organization: [],
            mayManage: true, verdict: .allowed, says: "is an Administrator of it"),
        .init(
            description: "Administrator in the organization", roles: [role("Reader")],
            organization: [role("Administrator")], mayManage: true, verdict: .allowed, says: "at organization level"),
        .init(
            description: "Administrator through a group", roles: [role("Administrator", for: "group")],
            organization: [], mayManage: true, verdict: .allowed, says: "through a group"),
        .init(
            description: "Reader, not manageable", roles: [role("Reader")], organization: [], mayManage: false,
            verdict: .refused,
            says: "has the role Reader on it; writing the connection's secret needs the Administrator role"),
        .init(
            description: "no role at all", roles: [role("Administrator", for: "someone-else")], organization: [],
            mayManage: false, verdict: .refused, says: "has no role of its own on it"),
        .init(
            description: "roles unreadable, not manageable", roles: nil, organization: nil, mayManage: false,
            verdict: .refused, says: "a role the roles list did not show"),
        .init(
            description: "Reader, manageability unknown", roles: [role("Reader")], organization: [], mayManage: nil,
            verdict: .unknown, says: "could not be asked"),
    ]

    @Test(arguments: connectionCases)
    func connection(_ row: ConnectionCase) {
        let finding = AccessDecision.connection(
            "Service connection 'payments-prod'", name: "payments-prod", identity: Self.me, roles: row.roles,
            organizationRoles: row.organization, mayManage: row.mayManage)
        #expect(finding.verdict == row.verdict)
        #expect(finding.text.contains(row.says), "\(finding.text)")
        #expect(finding.text.contains("'Platform Build Service (contoso)'"))
        if row.verdict == .refused {
            #expect(finding.fix?.contains("Administrator role on service connection 'payments-prod'") == true)
            #expect(finding.fix?.contains("G7") == true)
        }
    }

    static func claims(roles: [String], oid: String = "sp-1", appId: String = "app-1") -> AccessTokenClaims {
        let payload = try! JSONSerialization.data(withJSONObject: ["oid": oid, "appid": appId, "roles": roles])
        let text = payload.base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return AccessTokenClaims(Secret("e30.\(text).sig"))
    }

    static let owner = DirectoryObject(type: "#microsoft.graph.servicePrincipal", id: "sp-1", appId: "app-1")
    static let stranger = DirectoryObject(type: "#microsoft.graph.user", id: "user-9", appId: nil)

    @Test(arguments: [
        (
            ["Application.ReadWrite.All"], [stranger] as [DirectoryObject]?, AccessFinding.Verdict.allowed,
            "ReadWrite.All"
        ),
        (["Application.ReadWrite.OwnedBy"], [owner], .allowed, "is an owner of it"),
        (["Application.ReadWrite.OwnedBy"], [stranger], .refused, "it is not an owner of the application"),
        ([], [owner], .refused, "neither Application.ReadWrite.OwnedBy nor Application.ReadWrite.All"),
        ([], nil, .refused, "neither Application.ReadWrite.OwnedBy"),
        (["Application.ReadWrite.OwnedBy"], nil, .unknown, "could not be read"),
    ])
    func application(roles: [String], owners: [DirectoryObject]?, verdict: AccessFinding.Verdict, says: String) {
        let finding = AccessDecision.application(
            "Application 'payments'", identity: "application app-1", claims: Self.claims(roles: roles), owners: owners)
        #expect(finding.verdict == verdict)
        #expect(finding.text.contains(says), "\(finding.text)")
        if verdict == .refused { #expect(finding.fix?.contains("G6") == true) }
    }

    @Test func secret() {
        let readable = AccessDecision.secret("Key Vault secret 's'", identity: "application x", readable: true)
        #expect(readable.verdict == .unconfirmed)
        #expect(readable.text.contains("Key Vault Secrets Officer"))
        let refused = AccessDecision.secret("Key Vault secret 's'", identity: "application x", readable: false)
        #expect(refused.verdict == .refused)
        #expect(refused.fix?.contains("Key Vault Secrets Officer") == true)
        #expect(AccessDecision.secret("s", identity: "x", readable: nil).verdict == .unknown)
    }

    @Test(arguments: [
        (["vso.pats", "vso.pats_manage"], AccessFinding.Verdict.allowed),
        (["vso.pats"], .refused),
        (["user_impersonation"], .unknown),
        ([], .unconfirmed),
    ])
    func pats(scopes: [String], verdict: AccessFinding.Verdict) {
        let finding = AccessDecision.pats("The PAT owner's tokens", owner: "user bot", scopes: scopes)
        #expect(finding.verdict == verdict)
        if verdict == .refused { #expect(finding.fix?.contains("vso.pats_manage") == true) }
    }

    @Test func claimsNameRolesAndScopes() {
        let claims = Self.claims(roles: ["Application.ReadWrite.OwnedBy"])
        #expect(claims.roles == ["Application.ReadWrite.OwnedBy"])
        #expect(claims.appId == "app-1")
        #expect(claims.objectId == "sp-1")
        let payload = Data(#"{"scp":"vso.pats vso.pats_manage","upn":"bot@contoso.com"}"#.utf8).base64EncodedString()
        #expect(AccessTokenClaims(Secret("e30.\(payload).sig")).scopes == ["vso.pats", "vso.pats_manage"])
    }

    @Test func theSummaryListsEachFindingWithItsPlannedSteps() {
        var finding = AccessFinding(verdict: .allowed, subject: "Application 'a'", text: "an owner")
        finding.steps = ["Add a client secret", "Remove client secret x"]
        #expect(
            AccessCheck.summary([finding])
                == "\n### Access check (dry run)\n\n- Application 'a': allowed: an owner.\n"
                + "  - planned: Add a client secret\n  - planned: Remove client secret x\n")
        #expect(AccessCheck.summary([]).isEmpty)
    }

    @Test func findingsReadAsOneSentence() {
        let refused = AccessFinding(
            verdict: .refused, subject: "Service connection 'x'", text: "no role.", fix: "Give it.")
        #expect(refused.line == "Service connection 'x': would be refused: no role. Give it.")
        #expect(
            AccessFinding(verdict: .unknown, subject: "S", text: "asking failed").line
                == "S: could not be checked: asking failed.")
    }
}
