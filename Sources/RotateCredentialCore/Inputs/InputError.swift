/// A bad input: which one, and what is expected instead.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input's name (or the variable's, for agent variables).
    public let input: String
    /// What is wrong and what is expected.
    public let message: String

    /// Creates an error.
    public init(_ input: String, _ message: String) {
        self.input = input
        self.message = message
    }

    public var description: String { "Input '\(input)': \(message)" }
}

/// All input errors of one run, reported together before any network call.
public struct InputErrors: Error, Sendable, CustomStringConvertible {
    /// The errors, in catalogue order.
    public let errors: [InputError]

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
