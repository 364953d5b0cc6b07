/// Sovereign-cloud differences that follow from the authority host.
enum Cloud {
    /// Key Vault's DNS suffix for vaults named by `keyVaultName`.
    static func keyVaultDNSSuffix(authorityHost: URL?) -> String {
        switch authorityHost?.host?.lowercased() {
        case "login.microsoftonline.us": return ".vault.usgovcloudapi.net"
        case "login.chinacloudapi.cn": return ".vault.azure.cn"
        default: return ".vault.azure.net"
        }
    }

    /// The scope of Key Vault tokens in that cloud.
    static func keyVaultScope(authorityHost: URL) -> String {
        "https://" + keyVaultDNSSuffix(authorityHost: authorityHost).dropFirst() + "/.default"
    }
}
