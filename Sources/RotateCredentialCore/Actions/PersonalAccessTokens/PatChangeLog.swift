#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Synchronization

/// What the steps of the PAT plans did, keyed by the old token's authorization id: steps run
/// concurrently and hand values to later steps (the new token and its value) through it.
final class PatChangeLog: Sendable {
    /// What happened to one token.
    struct Change: Sendable {
        /// The replacement, once created.
        var created: PersonalAccessToken?
        /// Its value; only the store step and the output variable read it.
        var value: Secret?
        /// The stored secret version, once read back.
        var stored: KeyVaultClient.SecretBundle?
        /// Whether the old token was revoked.
        var revoked = false
        /// The token after renewal.
        var renewed: PersonalAccessToken?
    }

    private let changes = Mutex<[String: Change]>([:])

    /// Updates the change of `key`.
    func update(_ key: String, _ body: (inout Change) -> Void) {
        changes.withLock { body(&$0[key, default: Change()]) }
    }

    /// The change of `key`.
    func change(_ key: String) -> Change {
        changes.withLock { $0[key] ?? Change() }
    }
}
