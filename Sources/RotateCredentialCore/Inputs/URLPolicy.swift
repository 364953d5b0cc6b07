/// Which URLs may carry credentials: HTTPS anywhere, plain HTTP only to a loopback *address*.
///
/// Loopback is decided on the parsed host, never on a prefix: a literal IPv4 address in
/// 127.0.0.0/8 written as four decimal parts, the IPv6 address `::1`, or exactly `localhost`.
/// `127.attacker.example`, `127.0.0.1.attacker.example` and the short form `127.1` are not.
enum URLPolicy {
    /// Why a URL input is refused; the messages never repeat the URL (it may hold a password).
    enum Problem: Error, Equatable, CustomStringConvertible {
        /// Not an absolute URL with a host.
        case notAbsolute
        /// A user name or password in the URL.
        case userInfo
        /// Plain HTTP to a host that is not a loopback address.
        case insecure
        /// A query or fragment in a service URL, which the task appends paths to.
        case queryOrFragment
        /// A `.` or `..` path segment (also written `%2e`) in a service URL.
        case dotSegment

        var description: String {
            switch self {
            case .notAbsolute: return "expected an absolute URL such as https://example.com."
            case .userInfo:
                return
                    "a URL must not contain a user name or password (user:password@); give credentials in their own inputs. The URL is not repeated here."
            case .insecure:
                return "expected an https:// URL (http:// is allowed only for 127.0.0.0/8, [::1] and localhost)."
            case .queryOrFragment:
                return
                    "a service URL must not carry a query (?) or a fragment (#): the task appends the paths of its requests to it."
            case .dotSegment:
                return
                    "a service URL must not contain '.' or '..' path segments (also written %2e): they would send the task's requests to another path."
            }
        }
    }

    /// The URL `text` names (a trailing slash dropped), or the reason it may not be used.
    static func check(_ text: String) -> Result<URL, Problem> {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let components = URLComponents(string: trimmed), let url = components.url,
            let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty
        else {
            return .failure(text.contains("@") ? .userInfo : .notAbsolute)
        }
        if components.user != nil || components.password != nil || text.contains("@") {
            return .failure(.userInfo)
        }
        guard scheme == "https" || (scheme == "http" && isLoopback(host)) else { return .failure(.insecure) }
        return .success(url)
    }

    /// A service URL (`authorityHost`, `graphUrl`, `azureDevOpsUrl`, `vsspsUrl`, `keyVaultUrl`): as
    /// ``check(_:)``, and without a query, a fragment or dot segments, since the task appends the
    /// paths of its requests to it.
    static func checkService(_ text: String) -> Result<URL, Problem> {
        let checked = check(text)
        guard case .success = checked, let components = URLComponents(string: text) else { return checked }
        if components.query != nil || components.fragment != nil || text.contains("?") || text.contains("#") {
            return .failure(.queryOrFragment)
        }
        let segments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: {
            [".", ".."].contains($0.lowercased().replacingOccurrences(of: "%2e", with: "."))
        }) {
            return .failure(.dotSegment)
        }
        return checked
    }

    /// Whether `host` (as a URL names it; IPv6 with or without brackets) is a loopback address.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        let octets = parts.compactMap { part -> Int? in
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber) else {
                return nil
            }
            guard part.count == 1 || part.first != "0" else { return nil }
            return Int(part).flatMap { $0 <= 255 ? $0 : nil }
        }
        return octets.count == 4 && octets[0] == 127
    }
}
