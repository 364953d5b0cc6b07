#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The CA certificates TLS verification trusts: the system's roots, plus the agent's CA file.
///
/// libcurl with OpenSSL takes one CA bundle per transfer and `CURLOPT_CAINFO` replaces the
/// system's, so with `AGENT_CAINFO` the transport hands libcurl one PEM blob: the system bundle
/// followed by the agent's file.
enum TrustedCertificates: Sendable, Equatable {
    /// libcurl's own default: the system bundle.
    case system
    /// This PEM text: the system bundle (if found) and the agent's CA file.
    case bundle([UInt8], agentFile: String)
    /// The agent's CA file could not be read.
    case unreadable(agentFile: String)

    /// Where distributions keep their CA bundle, most common first.
    static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Alpine, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",  // RHEL, Fedora, Amazon Linux
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 9 and later
        "/etc/ssl/ca-bundle.pem",  // SUSE
        "/etc/ssl/cert.pem",  // macOS, BSDs
    ]

    /// The certificates for an agent CA file (or none), given libcurl's built-in bundle path.
    static func resolve(agentFile: String?, libraryDefault: String?, read: (String) -> [UInt8]?) -> Self {
        guard let agentFile else { return .system }
        guard let agent = read(agentFile), !agent.isEmpty else { return .unreadable(agentFile: agentFile) }
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
}
