/// Makes URLs safe to log: query values that could carry credentials are dropped.
enum Redaction {
    /// The URL's path with its query parameter names, values kept only for harmless keys.
    static func path(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.path }
        components.user = nil
        components.password = nil
        let harmless: Set<String> = [
            "api-version", "authorizationid", "endpointnames", "$top", "displayfilteroption", "maxresults",
            "sortbyoption", "issortascending", "$select", "serviceconnectionid", "operation",
        ]
        components.queryItems = components.queryItems?.map { item in
            harmless.contains(item.name.lowercased()) ? item : URLQueryItem(name: item.name, value: "…")
        }
        return components.string ?? url.path
    }
}
