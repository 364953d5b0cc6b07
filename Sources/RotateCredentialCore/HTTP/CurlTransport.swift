import CCurl
import CurlShim

/// The real transport: libcurl, driven by one ``CurlLoop`` thread.
///
/// TLS verification is always on, with the system's roots plus `AGENT_CAINFO`; the agent's
/// client certificate is presented when configured. Requests go through the proxy unless its
/// bypass rules (or loopback) say otherwise; proxy credentials come from the agent's variables.
/// Connections are reused and HTTP/2 is used where the server offers it. Redirects are never
/// followed: Azure DevOps answers a rejected credential with a redirect to a sign-in page, which
/// must surface as an authentication failure rather than be fetched. Answers are capped.
public final class CurlTransport: HTTPTransport {
    /// The largest answer accepted (the longest PAT list is well under 1 MB).
    static let maxResponseBytes = 32 << 20

    /// The transport once libcurl is loaded: the CA trust and the thread every transfer runs on.
    private struct Engine: Sendable {
        let trust: TrustedCertificates
        let loop: CurlLoop
    }

    private let settings: HTTPSettings
    private let route: ProxyRoute
    /// The engine, or why libcurl could not be loaded (every request then fails with it).
    private let engine: Result<Engine, TransportError>

    /// Creates a transport with `settings` (the first one loads libcurl); it runs until ``stop()``.
    public init(settings: HTTPSettings) {
        self.settings = settings
        route = ProxyRoute(settings.proxy?.bypass ?? .none)
        if let failure = CurlLibrary.load() {
            engine = .failure(failure)
            return
        }
        let trust = TrustedCertificates.resolve(
            agentFile: settings.agentCAInfo, libraryDefault: rc_curl_default_ca_file().map { String(cString: $0) },
            read: TrustedCertificates.readFile, isHashedDirectory: TrustedCertificates.isHashedDirectory)
        engine = .success(Engine(trust: trust, loop: CurlLoop()))
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let engine = try engine.get()
        let proxy = route.bypasses(request.url) ? nil : settings.proxy
        let context = TransportFailure.Context(
            target: Self.target(request.url), proxy: proxy, agentCAInfo: settings.agentCAInfo,
            timeoutSeconds: settings.requestTimeoutSeconds)
        if case .unreadable(let file) = engine.trust {
            throw TransportError(
                .insecure, "the CA file AGENT_CAINFO (\(file)) could not be read",
                advice: "Check that the file exists and the agent's user can read it.")
        }
        guard let transfer = CurlTransfer(context: context, limitBytes: Self.maxResponseBytes) else {
            throw TransportError(.other, "libcurl could not start a request to \(context.target)")
        }
        transfer.setRequest(request, requestId: UUID().uuidString.lowercased())
        configure(transfer, trust: engine.trust, proxy: proxy)
        if !request.isIdempotent {
            // libcurl silently sends a request again when a reused connection dies before any
            // answer; a create must not be repeated unknowingly, so it gets a connection of its own.
            _ = rc_easy_setopt_long(transfer.easy, CURLOPT_FRESH_CONNECT, 1)
        }
        return try await engine.loop.run(transfer).get()
    }

    /// Ends every transfer and the transport's thread; call before the process exits.
    public func stop() {
        if case .success(let engine) = engine { engine.loop.stop() }
    }

    private func configure(_ transfer: CurlTransfer, trust: TrustedCertificates, proxy: ProxySettings?) {
        let easy = transfer.easy
        let timeout = Int(max(1, settings.requestTimeoutSeconds * 1000))
        _ = rc_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        // A transfer aborted on a stop request while its host name is still being resolved must not
        // wait for the resolver thread (a slow DNS would hold the exit): leave that thread behind.
        _ = rc_easy_setopt_long(easy, CURLOPT_QUICK_EXIT, 1)
        _ = rc_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeout)
        _ = rc_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout)
        _ = rc_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        _ = rc_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        _ = rc_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1)
        _ = rc_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        _ = rc_easy_setopt_pointer(easy, CURLOPT_ACCEPT_ENCODING, "")
        _ = rc_easy_setopt_pointer(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = rc_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        _ = rc_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        configureTrust(easy, trust)
        configureClientCertificate(easy)
        configureProxy(easy, proxy)
    }

    private func configureTrust(_ easy: UnsafeMutableRawPointer, _ trust: TrustedCertificates) {
        switch trust {
        case .agentFile(let file, let directory):
            for (info, path) in [(CURLOPT_CAINFO, CURLOPT_CAPATH), (CURLOPT_PROXY_CAINFO, CURLOPT_PROXY_CAPATH)] {
                _ = rc_easy_setopt_pointer(easy, info, file)
                _ = rc_easy_setopt_pointer(easy, path, directory)
            }
        case .bundle(let pem, _):
            for option in [CURLOPT_CAINFO_BLOB, CURLOPT_PROXY_CAINFO_BLOB] {
                _ = pem.withUnsafeBytes { rc_easy_setopt_blob(easy, option, $0.baseAddress, $0.count) }
            }
        case .system, .unreadable:
            break
        }
    }

    private func configureClientCertificate(_ easy: UnsafeMutableRawPointer) {
        guard let certificate = settings.clientCertificate else { return }
        switch certificate.source {
        case .pem(let file, let key):
            _ = rc_easy_setopt_pointer(easy, CURLOPT_SSLCERT, file)
            _ = rc_easy_setopt_pointer(easy, CURLOPT_SSLCERTTYPE, "PEM")
            _ = rc_easy_setopt_pointer(easy, CURLOPT_SSLKEY, key)
        case .archive(let file):
            _ = rc_easy_setopt_pointer(easy, CURLOPT_SSLCERT, file)
            _ = rc_easy_setopt_pointer(easy, CURLOPT_SSLCERTTYPE, "P12")
        }
        if let password = certificate.password {
            _ = rc_easy_setopt_pointer(easy, CURLOPT_KEYPASSWD, password.exposedValue)
        }
    }

    private func configureProxy(_ easy: UnsafeMutableRawPointer, _ proxy: ProxySettings?) {
        // Always set: an empty proxy also stops libcurl from reading proxy variables itself.
        guard let proxy else {
            _ = rc_easy_setopt_pointer(easy, CURLOPT_PROXY, "")
            return
        }
        _ = rc_easy_setopt_pointer(easy, CURLOPT_PROXY, proxy.url.absoluteString)
        _ = rc_easy_setopt_long(easy, CURLOPT_HTTPPROXYTUNNEL, 1)
        _ = rc_easy_setopt_long(easy, CURLOPT_PROXY_SSL_VERIFYPEER, 1)
        guard let username = proxy.username else { return }
        _ = rc_easy_setopt_long(easy, CURLOPT_PROXYAUTH, RC_CURLAUTH_ANY)
        _ = rc_easy_setopt_pointer(easy, CURLOPT_PROXYUSERNAME, username)
        _ = rc_easy_setopt_pointer(easy, CURLOPT_PROXYPASSWORD, proxy.password?.exposedValue ?? "")
    }

    /// `host:port` of a URL, for messages.
    static func target(_ url: URL) -> String {
        let host = url.host ?? "?"
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(shown):\(url.port ?? (url.scheme == "http" ? 80 : 443))"
    }
}
