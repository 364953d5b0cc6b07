/// Every page of a Microsoft Graph collection: Graph may answer a collection in pages, and the
/// client follows `@odata.nextLink` as is until it is absent (learn.microsoft.com/graph/paging),
/// never to another host than the configured Graph and never twice.
struct GraphPages<Item: Decodable & Sendable>: Sendable {
    let context: ServiceContext
    let operation: String

    private struct Page: Decodable {
        var value: [Item]
        var nextLink: String?

        enum CodingKeys: String, CodingKey {
            case value
            case nextLink = "@odata.nextLink"
        }
    }

    /// The items of every page from `first` on.
    func all(from first: URL, authorization: RequestAuthorization) async throws(ServiceError) -> [Item] {
        var result: [Item] = []
        var next: URL? = first
        var seen: Set<URL> = []
        while let page = next {
            guard seen.insert(page).inserted else {
                throw malformed("Graph returned the same @odata.nextLink twice")
            }
            let request = HTTPRequest(.get, page, service: .graph, operation: operation)
            let decoded = try await context.http.json(Page.self, request, authorization: authorization)
            result += decoded.value
            next = try decoded.nextLink.map { link throws(ServiceError) in try sameHost(link) }
        }
        return result
    }

    private func sameHost(_ link: String) throws(ServiceError) -> URL {
        let graph = context.urls.graph
        guard let url = URL(string: link), url.scheme?.lowercased() == graph.scheme?.lowercased(),
            url.host?.lowercased() == graph.host?.lowercased(), url.port == graph.port, url.user == nil
        else {
            throw malformed(
                "Graph's @odata.nextLink points elsewhere than \(graph.host ?? "Graph"); it was not followed")
        }
        return url
    }

    private func malformed(_ message: String) -> ServiceError {
        ServiceError(service: .graph, operation: operation, kind: .malformedResponse, serviceMessage: message)
    }
}
