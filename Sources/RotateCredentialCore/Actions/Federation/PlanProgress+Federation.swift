/// What the conversion's steps read from the steps before them in the same plan.
extension PlanProgress {
    /// The connection as the latest step that read or changed it left it.
    var connection: ServiceEndpoint? {
        for effect in effects.reversed() {
            switch effect {
            case .federationStated(let endpoint), .converted(let endpoint), .issuerMoved(let endpoint, _),
                .connectionRead(let endpoint):
                return endpoint
            default: continue
            }
        }
        return nil
    }

    /// The connection this plan converted, unless the conversion was reverted.
    var converted: ServiceEndpoint? {
        for case .converted(let endpoint) in effects where !tookBack(endpoint.id) { return endpoint }
        return nil
    }

    /// When this plan saved the connection onto the Entra issuer.
    var issuerMovedAt: Date? {
        for case .issuerMoved(_, let at) in effects { return at }
        return nil
    }

    /// How long a moved connection could not sign in.
    var gapSeconds: Double? {
        for case .gapEnded(let seconds) in effects { return seconds }
        return nil
    }
}
