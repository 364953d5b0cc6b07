/// What a step did, as a value: the runner collects the effects of a plan in order, later steps
/// of the same plan read them (the store step finds the value the create step received), and the
/// reconcile loop folds them into the run's outcome and its overlay of the source. No step
/// reports through titles, strings or a log object.
enum StepEffect: Sendable {
    /// A PAT was created (with its value).
    case createdToken(CreatedPersonalAccessToken)
    /// A client secret was added (with its value).
    case createdSecret(NewPasswordCredential)
    /// A value was stored in Key Vault and read back.
    case stored(KeyVaultClient.SecretBundle)
    /// A service connection was given a client secret and checked.
    case connectionWritten(ConnectionHolder)
    /// A PAT was revoked.
    case revokedToken(PersonalAccessToken)
    /// A client secret was removed.
    case removedSecret(PasswordCredential)
    /// A credential this plan created was taken back (its id).
    case tookBack(String)
    /// Secret-based connections the task does not write were looked for (a read).
    case foundBystanders(BystanderScan)
    /// A create got no certain answer before it succeeded: what the first attempt made may still
    /// land, inside the run's intent.
    case doubtedCreate
    /// A conversion request changed nothing; the connection (as read back) states the federation
    /// issuer and subject it will use.
    case federationStated(ServiceEndpoint)
    /// A federated identity credential was created and read back.
    case credentialAdded(FederatedIdentityCredential)
    /// The federated identity credential a step ensures was there already.
    case credentialFound(FederatedIdentityCredential)
    /// A service connection was converted to workload identity federation (as answered or read).
    /// Its revert is reported as ``tookBack(_:)`` with the connection's id.
    case converted(ServiceEndpoint)
    /// A federated connection was saved onto the Entra issuer, at the services' time `at`.
    case issuerMoved(ServiceEndpoint, at: Date)
    /// A moved connection could sign in again this many seconds after its save.
    case gapEnded(seconds: Double)
    /// A service connection was read back after a change.
    case connectionRead(ServiceEndpoint)
    /// A connection's sign-in was proven (or the run said how to verify it), in words.
    case proven(String)
    /// A federated identity credential was removed.
    case removedCredential(FederatedIdentityCredential)
}

/// The effects of the steps that ran so far in one plan.
struct PlanProgress: Sendable {
    /// Every effect, in order.
    var effects: [StepEffect] = []

    /// The PAT this plan created, unless it was taken back.
    var createdToken: CreatedPersonalAccessToken? {
        for case .createdToken(let token) in effects where !tookBack(token.token.authorizationId) { return token }
        return nil
    }

    /// The client secret this plan added, unless it was taken back.
    var createdSecret: NewPasswordCredential? {
        for case .createdSecret(let secret) in effects where !tookBack(secret.credential.keyId) { return secret }
        return nil
    }

    /// The Key Vault version this plan stored.
    var stored: KeyVaultClient.SecretBundle? {
        for case .stored(let bundle) in effects { return bundle }
        return nil
    }

    /// Connections this plan wrote.
    var connectionsWritten: [ConnectionHolder] {
        effects.compactMap { if case .connectionWritten(let holder) = $0 { holder } else { nil } }
    }

    /// PATs this plan revoked.
    var revokedTokens: [PersonalAccessToken] {
        effects.compactMap { if case .revokedToken(let token) = $0 { token } else { nil } }
    }

    /// Client secrets this plan removed.
    var removedSecrets: [PasswordCredential] {
        effects.compactMap { if case .removedSecret(let secret) = $0 { secret } else { nil } }
    }

    /// Whether a create of this plan got no certain answer first (it may land later).
    var doubted: Bool {
        effects.contains { if case .doubtedCreate = $0 { true } else { false } }
    }

    /// Whether the credential `id` was taken back.
    func tookBack(_ id: String) -> Bool {
        effects.contains { if case .tookBack(let taken) = $0 { taken.lowercased() == id.lowercased() } else { false } }
    }
}

/// What one step returns: its effects, and for a change that created something, how to undo it
/// while it is not yet stored anywhere.
struct StepResult: Sendable {
    var effects: [StepEffect] = []
    var compensation: Compensation?
}

/// Thrown by a step that did part of its work (some connections written, one refused): the
/// runner keeps the effects, and a step that `secures` counts as securing when any of them
/// happened (the new value is then stored somewhere and must not be undone).
struct StepPartialFailure: Error, Sendable, CustomStringConvertible {
    var effects: [StepEffect]
    var underlying: any Error

    var description: String { "\(underlying)" }
}
