/// Reads the agent's TLS and proxy variables into ``HTTPSettings``.
///
/// No message echoes a proxy URL: it may carry a password. Proxy credentials come only from
/// the agent's `AGENT_PROXYUSERNAME` and `SECRET_AGENT_PROXYPASSWORD`.
enum HTTPSettingsReader {
    /// Reads the settings, appending a named error for every bad variable.
    static func read(_ environment: [String: String], requestTimeoutSeconds: Double, errors: inout [InputError])
        -> HTTPSettings
    {
        var reader = Reader(environment: environment)
        let settings = HTTPSettings(
            requestTimeoutSeconds: requestTimeoutSeconds,
            agentCAInfo: reader.readableFile("AGENT_CAINFO"),
            clientCertificate: reader.clientCertificate(),
            proxy: reader.proxy())
        errors += reader.errors
        return settings
    }

    private struct Reader {
        let environment: [String: String]
        var errors: [InputError] = []

        func variable(_ name: String) -> String? {
            let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines)
            return value?.isEmpty == false ? value : nil
        }

        /// A secret variable, exactly as given; the agent hands secrets to tasks as `SECRET_<NAME>`.
        func secret(_ name: String) -> Secret? {
            (environment["SECRET_" + name] ?? environment[name]).flatMap { $0.isEmpty ? nil : Secret($0) }
        }

        mutating func readableFile(_ name: String) -> String? {
            guard let path = variable(name) else { return nil }
            guard FileManager.default.isReadableFile(atPath: path) else {
                errors.append(
                    InputError(
                        name, "names the file \(path), which does not exist or cannot be read by the agent's user."))
                return nil
            }
            return path
        }

        mutating func clientCertificate() -> ClientCertificate? {
            guard let certificate = readableFile("AGENT_CLIENTCERT") else {
                guard let archive = readableFile("AGENT_CLIENTCERTARCHIVE") else { return nil }
                return ClientCertificate(source: .archive(archive), password: secret("AGENT_CLIENTCERTPASSWORD"))
            }
            let key = readableFile("AGENT_CLIENTCERTKEY") ?? certificate
            return ClientCertificate(
                source: .pem(certificate: certificate, key: key), password: secret("AGENT_CLIENTCERTPASSWORD"))
        }

        mutating func proxy() -> ProxySettings? {
            let names = ["AGENT_PROXYURL", "HTTPS_PROXY", "https_proxy"]
            guard let name = names.first(where: { variable($0) != nil }), let text = variable(name) else { return nil }
            let candidate = text.contains("://") ? text : "http://" + text
            guard let url = URL(string: candidate), let host = url.host, !host.isEmpty,
                url.scheme == "http" || url.scheme == "https"
            else {
                errors.append(
                    InputError(
                        name,
                        "is not a proxy URL; expected http://host:port (the value is not shown: it may hold a password)."
                    ))
                return nil
            }
            guard url.user == nil, url.password == nil else {
                errors.append(
                    InputError(
                        name,
                        "holds user info (user:password@); the value is not shown. Give the proxy's credentials as the agent's proxy settings (AGENT_PROXYUSERNAME and its password), never in the URL."
                    ))
                return nil
            }
            let bypass = name == "AGENT_PROXYURL" ? agentBypass() : noProxy()
            return ProxySettings(
                url: url, variable: name, username: variable("AGENT_PROXYUSERNAME"),
                password: secret("AGENT_PROXYPASSWORD"), bypass: bypass)
        }

        mutating func agentBypass() -> ProxyBypass {
            guard let list = variable("AGENT_PROXYBYPASSLIST") else { return .none }
            guard let patterns = try? JSONDecoder().decode([String].self, from: Data(list.utf8)) else {
                errors.append(InputError("AGENT_PROXYBYPASSLIST", "is not a JSON array of regular expressions."))
                return .none
            }
            for pattern in patterns where (try? Regex(pattern)) == nil {
                errors.append(InputError("AGENT_PROXYBYPASSLIST", "entry '\(pattern)' is not a regular expression."))
            }
            return .agentPatterns(patterns)
        }

        func noProxy() -> ProxyBypass {
            guard let list = variable("NO_PROXY") ?? variable("no_proxy") else { return .none }
            let entries = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            return entries.isEmpty ? .none : .noProxy(entries)
        }
    }
}
