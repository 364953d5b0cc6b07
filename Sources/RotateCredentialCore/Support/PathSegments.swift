extension URL {
    /// The characters a path segment keeps as they are (RFC 3986 unreserved, plus `'()` that
    /// Graph's key syntax uses); everything else, `/`, `?`, `#` and `%` included, is percent-encoded.
    static let segmentAllowed = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'()")

    /// This URL with `segments` appended, each percent-encoded as one segment: no name can add a
    /// segment of its own, and `.` or `..` are encoded (`%2E`) so that nothing climbs the path.
    func appendingPathSegments(_ segments: [String]) -> URL {
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: false) else {
            preconditionFailure("not a URL: base URLs are validated when read")
        }
        var path = components.percentEncodedPath
        if path.hasSuffix("/") { path.removeLast() }
        for segment in segments {
            var encoded = segment.addingPercentEncoding(withAllowedCharacters: Self.segmentAllowed) ?? ""
            if encoded.allSatisfy({ $0 == "." }) {
                encoded = String(repeating: "%2E", count: encoded.count)
            }
            path += "/" + encoded
        }
        components.percentEncodedPath = path
        return components.url!
    }
}
