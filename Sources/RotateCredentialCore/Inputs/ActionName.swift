/// The name of an action, as the `action` input, YAML and `task.json` give it: kebab case
/// (`pat-list`). The actions themselves are described in ``ActionRegistry``.
struct ActionName: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The name.
    let rawValue: String

    /// The action named `rawValue`.
    init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A name written in the source.
    init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    /// The name.
    var description: String { rawValue }
}
