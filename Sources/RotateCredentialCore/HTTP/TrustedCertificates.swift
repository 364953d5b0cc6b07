/// The CA certificates TLS verification trusts: the system's roots, plus the agent's CA file.
///
/// With OpenSSL, `CURLOPT_CAINFO` replaces the system bundle, so with `AGENT_CAINFO` the
/// transport gives libcurl the agent's file as `CAINFO` and the system's hashed certificate
/// directory as `CAPATH` (OpenSSL looks roots up there by hash, only when a chain needs them, and
/// libcurl caches the store across connections). Where no hashed directory exists, it hands
/// libcurl one PEM blob instead: the system bundle followed by the agent's file.
enum TrustedCertificates: Sendable, Equatable {
    /// libcurl's own default: the system bundle.
    case system
    /// The agent's CA file plus the system's hashed certificate directory.
    case agentFile(String, systemDirectory: String)
    /// This PEM text: the system bundle (if found) and the agent's CA file.
    case bundle([UInt8], agentFile: String)
    /// The agent's CA file could not be read.
    case unreadable(agentFile: String)

    /// Where distributions keep a hashed certificate directory (`<hash>.0` links), most common first.
    static let systemDirectories = [
        "/etc/ssl/certs",  // Debian, Ubuntu, SUSE, Alpine, Arch
        "/etc/pki/ca-trust/extracted/pem/directory-hash",  // RHEL 9, Fedora, Amazon Linux 2023
    ]

    /// Where distributions keep their CA bundle, most common first.
    static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Alpine, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",  // RHEL, Fedora, Amazon Linux
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 9 and later
        "/etc/ssl/ca-bundle.pem",  // SUSE
        "/etc/ssl/cert.pem",  // macOS, BSDs
    ]

    /// The certificates for an agent CA file (or none), given libcurl's built-in bundle path.
    static func resolve(
        agentFile: String?, libraryDefault: String?, read: (String) -> [UInt8]?, isHashedDirectory: (String) -> Bool
    ) -> Self {
        guard let agentFile else { return .system }
        guard let agent = read(agentFile), !agent.isEmpty else { return .unreadable(agentFile: agentFile) }
        if let directory = systemDirectories.first(where: isHashedDirectory) {
            return .agentFile(agentFile, systemDirectory: directory)
        }
        let candidates = (libraryDefault.map { [$0] } ?? []) + systemBundles
        let system = candidates.lazy.compactMap(read).first { !$0.isEmpty } ?? []
        var bundle = system
        if let last = bundle.last, last != UInt8(ascii: "\n") { bundle.append(UInt8(ascii: "\n")) }
        bundle += agent
        return .bundle(bundle, agentFile: agentFile)
    }

    /// Reads a whole file, or `nil`.
    static func readFile(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    /// Whether `path` is a directory of certificates named by subject hash (`9d6523ce.0`).
    static func isHashedDirectory(_ path: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.contains { name in
            let parts = name.split(separator: ".")
            return parts.count == 2 && parts[0].count == 8 && parts[0].allSatisfy(\.isHexDigit) && Int(parts[1]) != nil
        }
    }
}
