/// The `Authorization` header of a request, with the name of the credential for messages.
enum RequestAuthorization: Sendable {
    /// No header.
    case none
    /// `Bearer <token>`.
    case bearer(Secret, credential: String)
    /// `Basic base64(user:secret)`, for PATs.
    case basic(user: String, Secret, credential: String)

    /// The name of the credential, as messages say it ("the job access token").
    var credentialName: String? {
        switch self {
        case .none: return nil
        case .bearer(_, let name), .basic(_, _, let name): return name
        }
    }

    /// The header value; only the HTTP client calls this.
    func headerValue(masker: any SecretMasker) -> String? {
        switch self {
        case .none: return nil
        case .bearer(let token, _): return "Bearer " + token.exposedValue
        case .basic(let user, let secret, _):
            let encoded = Data("\(user):\(secret.exposedValue)".utf8).base64EncodedString()
            // The masker does not catch the base64 form of a value: register it too.
            masker.mask(Secret(encoded))
            return "Basic " + encoded
        }
    }
}
