/// A service connection as the list and the conversion report it: which one, its application and
/// its authentication (scheme, federation issuer and subject, readiness, how long a conversion can
/// be reverted).
struct ConnectionFacts: Encodable, Equatable, Sendable {
    var name: String
    var id: String
    var applicationId: String?
    var scheme: String
    var issuer: String?
    var subject: String?
    var isReady: Bool?
    var revertDeadline: String?
}

extension ConnectionFacts {
    /// The facts of `endpoint` with the issuer and subject the report names (the list names them
    /// only for a federated connection; a conversion also names the ones it learned).
    init(_ endpoint: ServiceEndpoint, issuer: String?, subject: String?) {
        self.init(
            name: endpoint.name, id: endpoint.id, applicationId: endpoint.servicePrincipalId, scheme: endpoint.scheme,
            issuer: issuer, subject: subject, isReady: endpoint.isReady,
            revertDeadline: endpoint.revertSchemeDeadline.map(Timestamp.format))
    }
}
