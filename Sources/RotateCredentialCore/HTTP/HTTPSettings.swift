/// Settings of the HTTP transport, from the task's inputs and the agent's variables.
public struct HTTPSettings: Sendable {
    /// Timeout of one request.
    var requestTimeoutSeconds: Double
    /// `AGENT_CAINFO`: a PEM file of CA certificates trusted in addition to the system roots
    /// (the agent's `--sslcacert`, e.g. the CA of a TLS-inspecting proxy).
    var agentCAInfo: String?
    /// The agent's client certificate (`AGENT_CLIENTCERT*`), for servers that ask for one.
    var clientCertificate: ClientCertificate?
    /// The proxy, from the agent (`AGENT_PROXYURL`) or `HTTPS_PROXY`.
    var proxy: ProxySettings?

    /// Creates settings.
    init(
        requestTimeoutSeconds: Double, agentCAInfo: String? = nil, clientCertificate: ClientCertificate? = nil,
        proxy: ProxySettings? = nil
    ) {
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.agentCAInfo = agentCAInfo
        self.clientCertificate = clientCertificate
        self.proxy = proxy
    }
}

/// A TLS client certificate configured on the agent.
struct ClientCertificate: Sendable {
    /// What the files hold.
    enum Source: Sendable, Equatable {
        /// A PEM certificate (`AGENT_CLIENTCERT`) and its PEM private key (`AGENT_CLIENTCERTKEY`).
        case pem(certificate: String, key: String)
        /// A PKCS#12 archive (`AGENT_CLIENTCERTARCHIVE`).
        case archive(String)
    }

    /// The files.
    var source: Source
    /// The key's or archive's password (`SECRET_AGENT_CLIENTCERTPASSWORD`).
    var password: Secret?

}

/// An HTTP proxy, reached with `CONNECT` for every HTTPS request that it does not bypass.
struct ProxySettings: Sendable {
    /// Where the proxy is (`http://host:port`; never with user info).
    var url: URL
    /// The variable the URL came from, for messages (`AGENT_PROXYURL`, `HTTPS_PROXY` or `https_proxy`).
    var variable: String
    /// User name (`AGENT_PROXYUSERNAME`), when the proxy needs one.
    var username: String?
    /// Password (`SECRET_AGENT_PROXYPASSWORD`).
    var password: Secret?
    /// Which requests go direct.
    var bypass: ProxyBypass

    /// Creates proxy settings.
    init(
        url: URL, variable: String, username: String? = nil, password: Secret? = nil, bypass: ProxyBypass = .none
    ) {
        self.url = url
        self.variable = variable
        self.username = username
        self.password = password
        self.bypass = bypass
    }

    /// `host:port` of the proxy, for messages.
    var endpoint: String {
        "\(url.host ?? "?"):\(url.port ?? (url.scheme == "https" ? 443 : 80))"
    }
}

/// The requests that do not go through the proxy.
enum ProxyBypass: Sendable, Equatable {
    /// Everything goes through the proxy.
    case none
    /// `AGENT_PROXYBYPASSLIST`: regular expressions, each tested case-insensitively against the
    /// whole request URL, as the agent's task library does.
    case agentPatterns([String])
    /// `NO_PROXY`: host names (each also matching its subdomains, with or without a leading
    /// `.` or `*.`), IP addresses, CIDR ranges, optionally with `:port`; `*` bypasses everything.
    case noProxy([String])
}
