/// How a PAT value is recorded in Key Vault: content type, expiry and tags, and how the tags are
/// read back by the next run (``PatObservation/Record``).
enum PatKeyVaultRecord {
    /// Content type of every stored PAT value: an Azure DevOps personal access token.
    static let contentType = "application/vnd.azure-devops.pat"

    /// Tags naming the token, its display name and the token it replaced. Key Vault tag values
    /// hold at most 256 characters.
    static func tags(for token: PersonalAccessToken, replacing old: PersonalAccessToken?) -> [String: String] {
        var tags = [
            "authorizationId": token.authorizationId,
            "displayName": String(token.displayName.prefix(256)),
            "createdBy": "rotate-credential",
        ]
        if let old { tags["replaces"] = old.authorizationId }
        return tags
    }
}
