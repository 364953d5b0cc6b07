/// A credential value (token, password, client secret) that never prints itself.
///
/// `description`, `debugDescription`, string interpolation and reflection all show `***`.
/// Only the pipeline output (to register it with the agent's masker) and the HTTP layer
/// (to put it on the wire) read the value, through the module-internal `exposedValue`.
struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    let exposedValue: String

    /// Wraps a value. Prefer ``SecretMasker/adopt(_:)``, which also registers it with the masker.
    init(_ value: String) {
        self.exposedValue = value
    }

    /// Whether the value is empty.
    var isEmpty: Bool { exposedValue.isEmpty }

    /// Always `***`.
    var description: String { "***" }

    /// Always `Secret(***)`.
    var debugDescription: String { "Secret(***)" }

    /// A mirror with no children, so `dump` and debuggers cannot show the value.
    var customMirror: Mirror { Mirror(self, children: []) }
}

/// Anything that can register a secret with the pipeline's masker before it is used.
protocol SecretMasker: Sendable {
    /// Registers `secret` so that no later output line shows it.
    func mask(_ secret: Secret)
}

extension SecretMasker {
    /// Wraps a value received from a service and registers it at once.
    func adopt(_ value: String) -> Secret {
        let secret = Secret(value)
        mask(secret)
        return secret
    }
}
