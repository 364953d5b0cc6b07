/// Why a conversion step stopped, as a value; the state it leaves is named by the plan's report.
enum FederationFailure: Error, Sendable, Equatable, CustomStringConvertible {
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
    /// Another operation runs on the connection (`InProgress` with another status message).
    case busy(name: String, message: String)
    /// Azure DevOps was still converting in the background when the wait ended.
    case conversionPending(name: String, seconds: Int)
    /// Azure DevOps' test sign-in kept failing (`Failed, converting_scheme_failed`) until the wait ended.
    case conversionFailed(name: String, issuer: String, subject: String)
    /// The connection, as the run last saw it, is not one this task converts (``ConnectionKind``).
    case refused(name: String, reason: String)

    /// Whether running again cannot help until a person fixes something.
    var isTerminal: Bool {
        switch self {
        case .incomplete, .notStated, .credentialLimit, .issuerNotMoved, .refused: return true
        case .credentialMissing, .readBack, .busy, .conversionPending, .conversionFailed: return false
        }
    }

    var description: String {
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
        case .busy(let name, let message):
            return
                "Azure DevOps is busy with another operation on service connection '\(name)' (operationStatus InProgress, '\(message)') and refuses changes until it ends; nothing was changed by this run. Run again when it has finished."
        case .conversionPending(let name, let seconds):
            return
                "Azure DevOps was still converting service connection '\(name)' in the background after \(seconds) s (operationStatus InProgress, \(ConversionState.convertingMessage)). It keeps its client secret until the conversion ends, by itself or as Failed; run again later (the run then proves it, or sends the conversion again), or raise replicationTimeoutSeconds."
        case .conversionFailed(let name, let issuer, let subject):
            return
                "Azure DevOps could not convert service connection '\(name)' (operationStatus Failed, \(ConversionState.failedMessage)): its test sign-in with the federated credential for issuer \(issuer) and subject \(subject) kept failing, so the connection still uses its client secret. To finish by hand: check that the application has that federated credential (audience \(FederatedIdentityCredential.entraAudience)), wait until Entra honours it (it can take several minutes), then use Convert in Project settings > Service connections > \(name), or run this task again."
        case .refused(let name, let reason):
            return "Service connection '\(name)' is not converted: \(reason)"
        case .issuerNotMoved(let name, let issuer):
            return
                "Azure DevOps kept issuer \(issuer) for service connection '\(name)' after it was saved: the organization still issues Azure DevOps tokens; nothing else was changed. Move the organization to the Entra issuer (Azure DevOps support) before \(FederationIssuer.azureDevOpsIssuerDeadline)."
        }
    }
}
