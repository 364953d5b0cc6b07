/// Who an Entra access token was issued to and what it may do, read from its payload without
/// verifying it (the token came straight from Entra over TLS; this names the user in logs and Key
/// Vault tags, and tells a dry run's access check the token's permissions).
///
/// Claims per Microsoft identity platform "Access token claims reference"
/// (learn.microsoft.com/entra/identity-platform/access-token-claims-reference): `upn` / `unique_name`
/// (v1 tokens, which Azure DevOps receives) or `preferred_username` (v2), `tid`, `oid`, `appid` /
/// `azp`, `roles` (application permissions), `scp` (delegated permissions).
struct AccessTokenClaims: Sendable, Equatable {
    /// The user's sign-in name, when the token names one.
    var user: String?
    /// The tenant id.
    var tenantId: String?
    /// The object id of the user, or of the service principal of an application's token.
    var objectId: String?
    /// The application the token was issued to (`appid` in v1 tokens, `azp` in v2).
    var appId: String?
    /// The application permissions of an application's token (`roles`), such as
    /// `Application.ReadWrite.OwnedBy`.
    var roles: [String] = []
    /// The delegated permissions of a user's token (`scp`, space-separated), such as `vso.pats_manage`.
    var scopes: [String] = []

    private struct Payload: Decodable {
        var upn: String?
        var unique_name: String?
        var preferred_username: String?
        var tid: String?
        var oid: String?
        var appid: String?
        var azp: String?
        var roles: [String]?
        var scp: String?
    }

    /// Reads the claims of `token`; empty when it is not a JWT.
    init(_ token: Secret) {
        let parts = token.exposedValue.split(separator: ".")
        guard parts.count == 3, let data = Self.base64URLDecode(String(parts[1])),
            let payload = try? JSONDecoder().decode(Payload.self, from: data)
        else { return }
        user = payload.upn ?? payload.preferred_username ?? payload.unique_name
        tenantId = payload.tid
        objectId = payload.oid
        appId = payload.appid ?? payload.azp
        roles = payload.roles ?? []
        scopes = (payload.scp ?? "").split(separator: " ").map(String.init)
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
