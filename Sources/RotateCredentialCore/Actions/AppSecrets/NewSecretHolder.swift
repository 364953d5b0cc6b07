#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Synchronization

/// Carries the secret created by one step of a plan to the steps after it.
final class NewSecretHolder: Sendable {
    private struct State {
        var created: NewPasswordCredential?
        var removed = false
        var keyVaultSecretId: String?
    }

    private let state = Mutex(State())

    /// Records the secret just added.
    func created(_ value: NewPasswordCredential) { state.withLock { $0.created = value } }
    /// Records that the undo removed it again.
    func markRemoved() { state.withLock { $0.removed = true } }
    /// Records the Key Vault version that holds it.
    func stored(in id: String) { state.withLock { $0.keyVaultSecretId = id } }

    /// The new secret and its metadata, if it was created.
    var value: NewPasswordCredential? { state.withLock { $0.created } }
    /// Whether it was removed again.
    var wasRemoved: Bool { state.withLock { $0.removed } }
    /// The Key Vault version id, once stored.
    var keyVaultSecretId: String? { state.withLock { $0.keyVaultSecretId } }

    /// The value, for a step that writes it somewhere; throws when no secret was created.
    func secret() throws -> Secret {
        guard let value = state.withLock({ $0.created?.secret }) else {
            throw TaskFailure("No new client secret was created before this step.")
        }
        return value
    }
}
