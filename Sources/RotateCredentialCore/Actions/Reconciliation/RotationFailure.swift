/// Why a rotation stopped, as a value: tests assert on the case, and the user's message is
/// rendered here and only here. Each failure says whether running the pipeline again can help
/// (``isTerminal``, as controller-runtime's `TerminalError` tells "retrying won't help" apart
/// from "requeue").
enum RotationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A create got no certain answer twice (`removed`: what it made anyway and was taken back;
    /// `live`: what it made anyway and could not be taken back).
    case uncertainCreate(credential: String, error: String, removed: [String], live: [String])
    /// After an uncertain create the source could not be read to look for what it made anyway.
    case uncertainCreateUnchecked(credential: String, error: String, listError: String)
    /// No record in Key Vault says which of several live credentials consumers hold.
    case ambiguous(credential: String, secretName: String, candidates: [String])
    /// Key Vault's current version names a credential that is no longer live.
    case storedCredentialGone(credential: String, secretName: String, id: String)
    /// The loop did not reach a stable state within its rounds (`last`: the last decision, in words).
    case notConverged(credential: String, rounds: Int, last: String)
    /// A credential this run created could not be taken back: live and stored nowhere.
    case leftBehind(credential: String, detail: String)
    /// The new secret was stored nowhere: no vault and no connection to write.
    case storedNowhere
    /// The Key Vault secret whose value is to be written into connections does not exist.
    case nothingToWrite(secretName: String, vault: String)
    /// Literal `tokenDisplayNames` that name no active PAT.
    case unknownDisplayNames([String])
    /// Several display names would share one Key Vault secret.
    case secretNameClash(names: [String], secretName: String)
    /// Listed connections refused before any change (each "'name': reason").
    case connectionsRefused([String])
    /// A connection could not be read back after the update.
    case connectionUnreadable(name: String, id: String)
    /// A connection is not ready after the update.
    case connectionNotReady(name: String, isReady: Bool, state: String, detail: String)
    /// Another run holds the lease on what this run would change (nothing was changed).
    case leaseHeld(holder: String, until: Date?, record: String)
    /// Key Vault was too slow to take the lease safely (nothing was changed).
    case leaseSlow(record: String)
    /// The run's lease is about to run out; no further change is started.
    case leaseExpired(record: String)
    /// The task's record in Key Vault cannot be read.
    case recordUnreadable(secretName: String, vault: String, reason: String)
    /// Key Vault's current version changed between this run's read and its use (another writer).
    case vaultChanged(secretName: String)
    /// A conversion to workload identity federation stopped at a decision (``FederationFailure``).
    case federation(FederationFailure)

    /// Whether running the pipeline again cannot help until a person fixes something.
    var isTerminal: Bool {
        switch self {
        case .federation(let failure):
            return failure.isTerminal
        case .ambiguous, .storedCredentialGone, .storedNowhere, .nothingToWrite, .unknownDisplayNames,
            .secretNameClash, .connectionsRefused, .connectionNotReady, .recordUnreadable:
            return true
        case .uncertainCreate, .uncertainCreateUnchecked, .notConverged, .leftBehind,
            .connectionUnreadable, .leaseHeld, .leaseSlow, .leaseExpired, .vaultChanged:
            return false
        }
    }

    var description: String {
        text
            + (isTerminal
                ? " Running the pipeline again will not help until this is fixed."
                : " Run the pipeline again: it can finish this.")
    }

    private var text: String {
        switch self {
        case .uncertainCreate(let credential, let error, let removed, let live):
            var text = "Creating \(credential) failed without a certain answer (\(error))."
            text +=
                removed.isEmpty
                ? " Nothing was created (checked)."
                : " Taken back, since its value never arrived: \(removed.joined(separator: ", "))."
            if !live.isEmpty {
                text +=
                    " ATTENTION: \(live.joined(separator: ", ")) is live and stored nowhere; the next run removes it (it was created inside this run's recorded intent)."
            }
            return text + " The credential consumers hold is untouched."
        case .uncertainCreateUnchecked(let credential, let error, let listError):
            return
                "Creating \(credential) failed without a certain answer (\(error)), and the source could not be read to check (\(listError)). ATTENTION: one may have been created anyway, live and stored nowhere; the next run finds and removes it. The credential consumers hold is untouched."
        case .ambiguous(let credential, let secretName, let candidates):
            return
                "\(credential): Key Vault secret '\(secretName)' records none of the live credentials (\(candidates.joined(separator: "; "))), and none was created by this task, so it cannot tell which one consumers hold. Store the value consumers use in '\(secretName)' with its id tag, or revoke the ones nobody uses. Nothing was changed."
        case .storedCredentialGone(let credential, let secretName, let id):
            return
                "\(credential): Key Vault secret '\(secretName)' holds \(id), which is no longer live; consumers read a dead credential. Run the rotation (pat-rotate or pat-create) to store a live one."
        case .notConverged(let credential, let rounds, let last):
            return "\(credential): still not in the desired state after \(rounds) rounds (last: \(last))."
        case .leftBehind(let credential, let detail):
            return "ATTENTION: \(credential) \(detail); the next run removes it, or remove it by hand."
        case .storedNowhere:
            return
                "The new secret would be stored nowhere: no Key Vault and no service connection to update (the listed ones need no secret). Nothing was changed."
        case .nothingToWrite(let secretName, let vault):
            return "Key Vault secret '\(secretName)' does not exist in \(vault); nothing to write."
        case .unknownDisplayNames(let names):
            return
                "Input 'tokenDisplayNames': no active PAT is named \(names.map { "'\($0)'" }.joined(separator: ", ")) (names without * must match a token exactly, ignoring case). Check the spelling; nothing was changed."
        case .secretNameClash(let names, let secretName):
            return
                "The PATs \(names.map { "'\($0)'" }.joined(separator: ", ")) would all be stored in Key Vault secret '\(secretName)'; use a secretName with {displayName} (default pat-{displayName}) or select fewer names. Nothing was changed."
        case .connectionsRefused(let problems):
            return "Refused before any change (nothing was added, updated or removed): "
                + problems.map { "service connection \($0)" }.joined(separator: " ")
        case .connectionUnreadable(let name, let id):
            return "Service connection '\(name)' (\(id)) could not be read back after the update."
        case .connectionNotReady(let name, let isReady, let state, let detail):
            return
                "Service connection '\(name)' is not ready after the update (isReady \(isReady), operationStatus \(state) \(detail)). It holds the new secret; check it in Project settings > Service connections."
        case .leaseHeld(let holder, let until, let record):
            let time = until.map { " until \(Timestamp.format($0))" } ?? ""
            return
                "Another run (\(holder)) holds the lease\(time) on what this run would change (recorded in Key Vault secret '\(record)'). Nothing was changed. Pipelines that rotate the same credentials should run one at a time (lockBehavior: sequential, or an exclusive lock check)."
        case .leaseSlow(let record):
            return
                "Key Vault answered too slowly to take the lease in '\(record)' safely (another run could have taken it at the same time). Nothing was changed."
        case .leaseExpired(let record):
            return
                "This run's lease in Key Vault secret '\(record)' is about to run out, so no further change was started; what is done is reported above."
        case .vaultChanged(let secretName):
            return
                "Key Vault secret '\(secretName)' changed while this run read it (another writer?); nothing was written into the service connections."
        case .federation(let failure):
            return failure.description
        case .recordUnreadable(let secretName, let vault, let reason):
            return
                "The task's record, Key Vault secret '\(secretName)' in \(vault), cannot be used: \(reason). Nothing was changed. Rename or remove that secret if it is not this task's, or update the task."
        }
    }
}
