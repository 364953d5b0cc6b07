/// Where a conversion to workload identity federation stands, read from the connection's
/// `authorization.scheme` and `operationStatus`, and what to do next.
///
/// Azure DevOps test-authenticates with the new scheme before it converts. When the sign-in fails
/// (a federated credential Entra does not honour yet: AADSTS70021 for up to minutes), it saves the
/// connection with its old scheme and `operationStatus {InProgress, converting_scheme}` and finishes
/// in the background, or ends `{Failed, converting_scheme_failed}`; a request while `InProgress` with
/// any other status message is refused ("another operation is already in progress"). Source: Azure
/// DevOps Server 2022's service code (a public decompilation; the cloud may differ), recorded in shared
/// notes api-contracts.md, "Paging, conversion in the background, and errors as Azure words them".
enum ConversionState: Sendable, Equatable {
    /// Federated, nothing under way.
    case converted
    /// `InProgress, converting_scheme`: Azure DevOps finishes it in the background.
    case converting
    /// `Failed, converting_scheme_failed`, or a conversion answered with the test sign-in's failure:
    /// still on its secret; sending the conversion again tests again.
    case testFailed
    /// `InProgress` with another status message: another operation runs; requests are refused.
    case busy(String)
    /// Still on its secret and nothing under way.
    case notConverted

    /// The status message of a conversion Azure DevOps finishes in the background.
    static let convertingMessage = "converting_scheme"
    /// The status message of a conversion that failed in the background.
    static let failedMessage = "converting_scheme_failed"

    /// The state of `endpoint`.
    static func of(_ endpoint: ServiceEndpoint) -> ConversionState {
        let state = endpoint.operationState?.lowercased()
        let message = endpoint.operationMessage ?? ""
        if state == "inprogress" {
            return message.lowercased() == convertingMessage ? .converting : .busy(message)
        }
        if endpoint.isWorkloadIdentityFederation { return .converted }
        if state == "failed", message.lowercased() == failedMessage { return .testFailed }
        return .notConverted
    }

    /// What to do about a connection in this state while a conversion is wanted.
    enum Next: Sendable, Equatable {
        /// Nothing: it is converted.
        case done
        /// Wait, then read the connection again.
        case wait
        /// Send the conversion (again).
        case send
        /// Stop: another operation runs.
        case stop
    }

    /// The next step; `sent` says whether this run already sent the conversion and got this state back.
    func next(sent: Bool) -> Next {
        switch self {
        case .converted: return .done
        case .converting: return .wait
        case .testFailed: return .send
        case .busy: return .stop
        case .notConverted: return sent ? .stop : .send
        }
    }
}
