/// A PKCE pair (RFC 7636): a random `code_verifier` kept by the client and its S256
/// `code_challenge` = BASE64URL(SHA256(ASCII(code_verifier))) sent to `/authorize` (RFC 7636 4.1, 4.2).
struct ProofKey: Sendable {
    /// 43 to 128 characters from the unreserved set; here 64 random bytes, base64url (86 characters).
    let verifier: Secret
    /// The S256 challenge.
    let challenge: String

    /// A fresh pair from the system's random source.
    init() {
        var generator = SystemRandomNumberGenerator()
        self.init(verifier: Self.base64URL((0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    /// The pair for a given verifier (tests use RFC 7636 appendix B's example).
    init(verifier: String) {
        self.verifier = Secret(verifier)
        self.challenge = Self.base64URL(SHA256.hash(Array(verifier.utf8)))
    }

    /// A random `state` value (protects the redirect against cross-site request forgery, RFC 6749 10.12).
    static func state() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
