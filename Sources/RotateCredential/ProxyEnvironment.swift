import Foundation

/// Hands the agent's proxy settings to libcurl, which URLSession uses on Linux and which reads
/// `https_proxy` / `no_proxy` from the process environment (never from the command line).
enum ProxyEnvironment {
    static func apply(from environment: [String: String]) {
        guard let proxy = environment["AGENT_PROXYURL"], !proxy.isEmpty,
            var components = URLComponents(string: proxy)
        else { return }
        if let user = environment["AGENT_PROXYUSERNAME"], !user.isEmpty {
            components.user = user
            components.password = environment["SECRET_AGENT_PROXYPASSWORD"] ?? environment["AGENT_PROXYPASSWORD"]
        }
        guard let url = components.string else { return }
        setenv("https_proxy", url, 1)
        setenv("HTTPS_PROXY", url, 1)
        // The agent's bypass list holds regular expressions; libcurl takes host suffixes. Plain
        // host names survive the translation, and loopback never goes through the proxy.
        let patterns = (environment["AGENT_PROXYBYPASSLIST"].flatMap { $0.data(using: .utf8) })
            .flatMap { try? JSONDecoder().decode([String].self, from: $0) } ?? []
        let hosts = patterns.map { $0.replacingOccurrences(of: "\\.", with: ".").trimmingCharacters(in: CharacterSet(charactersIn: "^$*")) }
            .filter { !$0.isEmpty && $0.range(of: "[\\[\\]()|+?\\\\]", options: .regularExpression) == nil }
        setenv("no_proxy", (["localhost", "127.0.0.1", "::1"] + hosts).joined(separator: ","), 1)
    }
}
