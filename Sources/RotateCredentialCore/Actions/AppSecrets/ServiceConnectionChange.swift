/// What to do with one named service connection, decided before anything is changed, and the
/// connection as it will be PUT back.
enum ServiceConnectionChange: Sendable, Equatable {
    /// Write the new key into it.
    case update(ServiceEndpoint, convertsAutomatic: Bool)
    /// Workload identity federation: it has no secret, nothing to do.
    case skipWorkloadIdentity(ServiceEndpoint)
    /// Not updated, and the run must not go on: why and what to do.
    case refuse(name: String, reason: String)

    /// The connection's name, when it takes a key.
    var endpointName: String? {
        if case .update(let endpoint, _) = self { endpoint.name } else { nil }
    }

    /// Decides what to do with `endpoint` for the application `appId` (nil: any application).
    static func decide(
        _ endpoint: ServiceEndpoint, appId: String?, convertAutomatic: Bool, allowForeign: Bool
    ) -> ServiceConnectionChange {
        let name = endpoint.name
        if endpoint.isWorkloadIdentityFederation {
            return .skipWorkloadIdentity(endpoint)
        }
        guard endpoint.scheme.lowercased() == "serviceprincipal" else {
            return .refuse(
                name: name,
                reason:
                    "its authorization scheme is '\(endpoint.scheme)', not ServicePrincipal; it has no client secret to set."
            )
        }
        if endpoint.authenticationType?.lowercased() == "spncertificate" {
            return .refuse(
                name: name,
                reason:
                    "it authenticates with a certificate (spnCertificate); replacing that by a client secret would weaken it. Remove it from serviceConnections."
            )
        }
        if let appId, let principal = endpoint.servicePrincipalId, principal.lowercased() != appId.lowercased(),
            !allowForeign
        {
            return .refuse(
                name: name,
                reason:
                    "it signs in as application \(principal), not \(appId); the new secret would not work there. Remove it from serviceConnections, or set allowForeignServiceConnections to true if that is intended."
            )
        }
        if endpoint.isAutomatic, !convertAutomatic {
            return .refuse(
                name: name,
                reason:
                    "it was created by Azure DevOps (creationMode Automatic), which manages its service principal and refuses a secret set from outside. Set convertAutomaticConnections to true to convert it to Manual (permanent: Azure DevOps no longer manages it), or let Azure DevOps renew it."
            )
        }
        return .update(endpoint, convertsAutomatic: endpoint.isAutomatic)
    }

    /// The body to PUT: the connection with `serviceprincipalkey` = `key`, `authenticationType`
    /// spnKey and every other field unchanged; an Automatic connection becomes Manual and loses
    /// `spnObjectId` and `appObjectId`, as the documented workaround does.
    static func withKey(_ endpoint: ServiceEndpoint, key: Secret, convertAutomatic: Bool) -> ServiceEndpoint {
        var body = endpoint.body
        var authorization = body["authorization"] ?? .object([:])
        var parameters = authorization["parameters"] ?? .object([:])
        if case .null = parameters { parameters = .object([:]) }
        setCaseInsensitive(&parameters, "serviceprincipalkey", .string(key.exposedValue))
        setCaseInsensitive(&parameters, "authenticationType", .string("spnKey"))
        authorization["parameters"] = parameters
        body["authorization"] = authorization
        if convertAutomatic, var data = body["data"], case .object(var members) = data {
            for key in members.keys where ["spnobjectid", "appobjectid"].contains(key.lowercased()) {
                members[key] = nil
            }
            data = .object(members)
            setCaseInsensitive(&data, "creationMode", .string("Manual"))
            body["data"] = data
        }
        return ServiceEndpoint(body)
    }

    private static func setCaseInsensitive(_ object: inout JSONValue, _ key: String, _ value: JSONValue) {
        let existing = object.member(caseInsensitive: key)?.key ?? key
        object[existing] = value
    }
}
