/// Turns a failed transfer into a ``TransportError`` that says in words what failed, where,
/// and what to do: the host, the proxy and the variable it came from, the CA file. Never the
/// proxy's credentials or a URL's query.
enum TransportFailure {
    /// What went wrong, as far as the transport could tell.
    enum Kind: Equatable {
        case resolveHost
        case resolveProxy
        case connect
        /// The time ran out; `sent` tells whether the request had gone out.
        case timeout(sent: Bool)
        /// The server's certificate is not trusted.
        case untrustedCertificate
        /// The agent's client certificate could not be used.
        case clientCertificate
        case tlsHandshake
        /// The proxy answered `CONNECT` with this status.
        case proxyRefused(Int)
        case connectionLost
        case tooLarge(limitBytes: Int)
        case cancelled
        case other(code: Int)
    }

    /// Where the request went and how the transport was set up.
    struct Context {
        /// `host:port` of the service.
        var target: String
        /// The proxy the request went through, if any.
        var proxy: ProxySettings?
        /// The `AGENT_CAINFO` file, if any.
        var agentCAInfo: String?
        /// The request timeout.
        var timeoutSeconds: Double
    }

    /// The error for `kind`; `message` is libcurl's own text.
    static func error(_ kind: Kind, message: String, context: Context) -> TransportError {
        let target = context.target
        let said = message.isEmpty ? "" : " (\(message))"
        switch kind {
        case .resolveHost:
            return TransportError(
                .cannotConnect, "could not resolve the host name of \(target)\(said)",
                advice:
                    "Check the URL input for this service and the agent's DNS; if the agent reaches the internet through a proxy, configure it on the agent (AGENT_PROXYURL) or set HTTPS_PROXY."
            )
        case .resolveProxy, .connect:
            return connectFailure(kind, said: said, context: context)
        case .timeout(let sent):
            let timeout = Int(context.timeoutSeconds.rounded())
            return TransportError(
                sent ? .timedOut : .cannotConnect,
                sent
                    ? "no answer from \(target) within \(timeout) s"
                    : "could not connect to \(target) within \(timeout) s",
                advice:
                    "The service or the network is slow or unreachable: check the agent's network and proxy, or raise requestTimeoutSeconds."
            )
        case .untrustedCertificate:
            return TransportError(
                .insecure, "TLS to \(target) failed: its certificate is not trusted\(said)", advice: caAdvice(context))
        case .clientCertificate:
            return TransportError(
                .insecure, "TLS to \(target) failed: it requires a client certificate, or refused the agent's\(said)",
                advice:
                    "Configure the agent's client certificate (config.sh --sslclientcert and --sslclientcertkey, or --sslclientcertarchive, with --sslclientcertpassword); the task reads it as AGENT_CLIENTCERT, AGENT_CLIENTCERTKEY or AGENT_CLIENTCERTARCHIVE."
            )
        case .tlsHandshake:
            return TransportError(
                .insecure, "TLS handshake with \(target) failed\(said)",
                advice:
                    "Check that the URL points to an HTTPS service; a proxy or firewall that intercepts TLS may be in the way."
            )
        case .proxyRefused(let status):
            return proxyRefusal(status, context: context)
        case .connectionLost:
            return TransportError(.connectionLost, "the connection to \(target) broke\(said)")
        case .tooLarge(let limit):
            return TransportError(
                .other, "the answer from \(target) is larger than \(limit >> 20) MB, the limit for any answer")
        case .cancelled:
            return TransportError(.other, "the request to \(target) was cancelled")
        case .other(let code):
            return TransportError(.other, "the request to \(target) failed\(said) (libcurl error \(code))")
        }
    }

    private static func connectFailure(_ kind: Kind, said: String, context: Context) -> TransportError {
        guard let proxy = context.proxy else {
            return TransportError(
                .cannotConnect, "could not connect to \(context.target)\(said)",
                advice:
                    "Check that the URL input for this service is right and that the agent can reach it (firewall, proxy)."
            )
        }
        let what = kind == .resolveProxy ? "could not resolve the proxy" : "could not connect to the proxy"
        return TransportError(
            .cannotConnect, "\(what) \(proxy.endpoint) (from \(proxy.variable)) on the way to \(context.target)\(said)",
            advice: "Check the agent's proxy setting (\(proxy.variable)) and that the proxy is running.")
    }

    private static func proxyRefusal(_ status: Int, context: Context) -> TransportError {
        let proxy = context.proxy.map { "\($0.endpoint) (from \($0.variable))" } ?? "the proxy"
        guard status == 407 else {
            return TransportError(
                status >= 500 ? .cannotConnect : .other,
                "the proxy \(proxy) answered HTTP \(status) when asked to connect to \(context.target)",
                advice:
                    "The proxy refused or could not reach the host; if it should be reached directly, add it to the agent's proxy bypass list (AGENT_PROXYBYPASSLIST) or to NO_PROXY."
            )
        }
        let advice =
            context.proxy?.username == nil
            ? "The proxy requires credentials: configure them on the agent (config.sh --proxyusername and --proxypassword); the task reads them as AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD."
            : "Check the proxy user name and password configured on the agent (AGENT_PROXYUSERNAME and SECRET_AGENT_PROXYPASSWORD)."
        return TransportError(
            .other,
            "the proxy \(proxy) rejected the credentials (HTTP 407 Proxy Authentication Required) on the way to \(context.target)",
            advice: advice)
    }

    private static func caAdvice(_ context: Context) -> String {
        guard let file = context.agentCAInfo else {
            return
                "If the agent is behind a TLS-inspecting proxy, configure the agent with that CA (config.sh --sslcacert FILE): the task receives it as AGENT_CAINFO and trusts it in addition to the system roots. Outside an agent, set AGENT_CAINFO to the CA's PEM file."
        }
        return
            "The certificate chains neither to the system roots nor to the CA file AGENT_CAINFO (\(file)): check that this file holds the CA that issued it."
    }
}
