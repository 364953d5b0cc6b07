/// The services' naming rules, checked before any call so that no name can leave its place in a
/// URL (`..`, `/`, `?`) or reach a service that would refuse it anyway. Each check returns nil
/// for a valid name, or what is expected instead.
enum NameRules {
    /// Azure DevOps organization: ASCII letters, digits and hyphens, at most 50, starting and ending
    /// with a letter or digit.
    static func organization(_ name: String) -> String? {
        let pattern = "^[A-Za-z0-9]([A-Za-z0-9-]{0,48}[A-Za-z0-9])?\\z"
        return matches(name, pattern)
            ? nil
            : "'\(name)' is not a valid organization name (ASCII letters, digits and hyphens, at most 50, starting and ending with a letter or digit)."
    }

    /// Characters Azure DevOps refuses in a project name.
    private static let projectForbidden = CharacterSet(charactersIn: "\\/:*?\"'<>;#${},+=[]|%&@")
        .union(.controlCharacters).union(.illegalCharacters)

    /// Names Azure DevOps reserves for projects (compared case-insensitively).
    private static let reservedProjects = Set<String>([
        "aux", "con", "nul", "prn", "server", "signalr", "defaultcollection", "web", "web.config", "bin",
        "app_browsers", "app_code", "app_data", "app_globalresources", "app_localresources", "app_themes",
        "app_webresources",
    ]).union((1...9).flatMap { ["com\($0)", "lpt\($0)"] })

    /// Azure DevOps project name (or id): at most 64 characters, none of `\ / : * ? " ' < > ; # $ { } , + = [ ] | % & @`,
    /// no control characters, not starting with `_` or `.`, not ending with `.`, not a reserved name.
    static func project(_ name: String) -> String? {
        let valid =
            !name.isEmpty && name.count <= 64
            && !name.unicodeScalars.contains(where: projectForbidden.contains)
            && !name.hasPrefix("_") && !name.hasPrefix(".") && !name.hasSuffix(".")
            && !reservedProjects.contains(name.lowercased())
        return valid
            ? nil
            : "'\(name)' is not a valid project name (at most 64 characters; none of \\ / : * ? \" ' < > ; # $ { } , + = [ ] | % & @; not starting with _ or ., not ending with ., not a reserved name)."
    }

    /// Service connection name: at most 256 characters, no control characters, no comma (the API
    /// takes a comma-separated list of names).
    static func serviceConnection(_ name: String) -> String? {
        let valid =
            name.count <= 256 && !name.contains(",")
            && !name.unicodeScalars.contains(where: CharacterSet.controlCharacters.contains)
        return valid
            ? nil
            : "'\(name)' is not a service connection name (at most 256 characters, no commas or control characters)."
    }

    /// The longest client-secret display name: Microsoft Graph documents no maximum for a password
    /// credential's `displayName`; 256 characters is the maximum it documents for an application's
    /// own `displayName` ("Maximum length is 256 characters", resources/application), taken as
    /// the bound here (an inference).
    static let maxSecretDisplayName = 256

    /// Display name of a new client secret: at most ``maxSecretDisplayName`` characters, no
    /// control characters (line breaks, tabs, escapes, the Unicode line and paragraph separators).
    static func secretDisplayName(_ name: String) -> String? {
        if let control = name.unicodeScalars.first(where: {
            $0.properties.generalCategory == .control || $0.value == 0x2028 || $0.value == 0x2029
        }) {
            let code = String(control.value, radix: 16, uppercase: true)
            return
                "contains the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code); give the client secret's display name as one line of printable characters."
        }
        guard name.count <= maxSecretDisplayName else {
            return
                "is \(name.count) characters long; a client secret's display name may have at most \(maxSecretDisplayName) (Microsoft Graph's limit for an application's display name)."
        }
        return nil
    }

    /// Key Vault name: 3 to 24 letters, digits and single hyphens, starting with a letter, ending
    /// with a letter or digit.
    static func keyVault(_ name: String) -> String? {
        matches(name, "^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]\\z") && !name.contains("--")
            ? nil
            : "'\(name)' is not a Key Vault name: 3 to 24 letters, digits and single hyphens, starting with a letter."
    }

    /// Key Vault secret name: 1 to 127 letters, digits and hyphens.
    static func secret(_ name: String) -> Bool {
        matches(name, "^[0-9a-zA-Z-]{1,127}\\z")
    }

    private static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }
}
