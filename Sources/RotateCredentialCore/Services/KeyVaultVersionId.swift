/// Key Vault object ids (`https://{vault}.vault.azure.net/secrets/{name}/{version}`), compared as
/// the service defines them: host, secret name and version are case-insensitive, and an id may
/// carry the default port (`:443`).
enum KeyVaultVersionId {
    /// Whether `a` and `b` name the same version.
    static func same(_ a: String?, _ b: String?) -> Bool {
        guard let a, let b else { return false }
        return normalized(a) == normalized(b)
    }

    private static func normalized(_ id: String) -> String {
        id.lowercased().replacingOccurrences(of: ":443/", with: "/")
    }
}
