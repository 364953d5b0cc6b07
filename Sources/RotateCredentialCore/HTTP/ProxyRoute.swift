/// Decides, per request URL, whether it goes through the proxy or direct.
///
/// Only what is configured goes direct, as with the agent's own clients: `AGENT_PROXYBYPASSLIST` entries are regular expressions
/// tested case-insensitively against the whole URL (as the agent's task library does);
/// `NO_PROXY` entries are host names (matching their subdomains too), IP addresses or CIDR
/// ranges, each optionally with `:port`, or `*` for everything.
struct ProxyRoute: @unchecked Sendable {
    // Regex is not Sendable; the compiled patterns are only read after init.
    private let patterns: [Regex<AnyRegexOutput>]
    private let noProxy: [String]

    /// Creates a route from the proxy's bypass settings.
    init(_ bypass: ProxyBypass) {
        switch bypass {
        case .none:
            patterns = []
            noProxy = []
        case .agentPatterns(let list):
            patterns = list.compactMap { try? Regex($0).ignoresCase() }
            noProxy = []
        case .noProxy(let list):
            patterns = []
            noProxy = list.map { $0.lowercased() }
        }
    }

    /// Whether `url` goes direct.
    func bypasses(_ url: URL) -> Bool {
        guard let host = url.host?.lowercased() else { return true }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let text = url.absoluteString
        if patterns.contains(where: { (try? $0.firstMatch(in: text)) != nil }) { return true }
        let port = url.port ?? (url.scheme == "http" ? 80 : 443)
        return noProxy.contains { Self.matches($0, host: bare, port: port) }
    }

    /// One `NO_PROXY` entry against a host (without brackets) and port.
    static func matches(_ entry: String, host: String, port: Int) -> Bool {
        if entry == "*" { return true }
        var pattern = entry
        if let (name, entryPort) = splitPort(entry) {
            guard entryPort == port else { return false }
            pattern = name
        }
        if pattern.hasPrefix("[") { pattern = String(pattern.dropFirst().dropLast()) }
        if pattern.contains("/") { return IPAddress.cidr(pattern, contains: host) }
        if IPAddress.parse(pattern) != nil {
            return IPAddress.parse(pattern) == IPAddress.parse(host)
        }
        while pattern.hasPrefix("*") || pattern.hasPrefix(".") { pattern.removeFirst() }
        guard !pattern.isEmpty else { return false }
        return host == pattern || host.hasSuffix("." + pattern)
    }

    /// `host:port` or `[v6]:port` into its parts; `nil` when there is no port.
    private static func splitPort(_ entry: String) -> (String, Int)? {
        guard let colon = entry.lastIndex(of: ":"), let port = Int(entry[entry.index(after: colon)...]) else {
            return nil
        }
        let name = String(entry[..<colon])
        // A bare IPv6 address has colons too: only `[v6]:port` or names/IPv4 with one colon carry a port.
        if name.contains(":") && !(name.hasPrefix("[") && name.hasSuffix("]")) { return nil }
        return (name, port)
    }
}
