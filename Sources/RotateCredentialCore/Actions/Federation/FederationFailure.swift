/// Why a conversion step stopped, as a value; the state it leaves is named by the plan's report.
public enum FederationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection lacks a field the step needs.
    case incomplete(name: String, missing: String)
    /// Azure DevOps refused the conversion and stated no issuer and subject to federate.
    case notStated(name: String, detail: String)
    /// The application already has the most federated credentials Graph allows.
    case credentialLimit(application: String, count: Int)
    /// The federated credential was not there when read back.
    case credentialMissing(application: String, issuer: String, subject: String)
    /// The connection read back is not what the step made it.
    case readBack(name: String, detail: String)
    /// Azure DevOps kept the Azure DevOps issuer after a save.
    case issuerNotMoved(name: String, issuer: String)

    public var description: String {
        switch self {
        case .incomplete(let name, let missing):
            return "Service connection '\(name)' has no \(missing)."
        case .notStated(let name, let detail):
            return
                "Azure DevOps did not convert service connection '\(name)' and states no federation issuer and subject for it (\(detail)); nothing was changed."
        case .credentialLimit(let application, let count):
            return
                "Application \(application) already has \(count) federated credentials, the most Microsoft Graph allows (\(FederatedCredentialClient.limitPerApplication)); remove one it no longer needs."
        case .credentialMissing(let application, let issuer, let subject):
            return
                "Application \(application) does not list a federated credential for issuer \(issuer) and subject \(subject) after creating it."
        case .readBack(let name, let detail):
            return "Service connection '\(name)' read back wrong: \(detail)."
        case .issuerNotMoved(let name, let issuer):
            return
                "Azure DevOps kept issuer \(issuer) for service connection '\(name)' after it was saved: the organization still issues Azure DevOps tokens; nothing else was changed. Move the organization to the Entra issuer (Azure DevOps support) before \(FederationIssuer.azureDevOpsIssuerDeadline)."
        }
    }
}
