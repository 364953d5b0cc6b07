/// Who an Entra access token was issued to, read from its payload without verifying it (the token
/// came straight from Entra over TLS; this only names the user in logs and Key Vault tags).
///
/// Claims per Microsoft identity platform "Access token claims reference"
/// (learn.microsoft.com/entra/identity-platform/access-token-claims-reference): `upn` / `unique_name`
/// (v1 tokens, which Azure DevOps receives) or `preferred_username` (v2), `tid`, `oid`.
public struct AccessTokenClaims: Sendable, Equatable {
    /// The user's sign-in name, when the token names one.
    public var user: String?
    /// The tenant id.
    public var tenantId: String?
    /// The user's object id.
    public var objectId: String?

    private struct Payload: Decodable {
        var upn: String?
        var unique_name: String?
        var preferred_username: String?
        var tid: String?
        var oid: String?
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
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
