/// A bad input: which one, and what is expected instead.
struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input's name (or the variable's, for agent variables).
    let input: String
    /// What is wrong and what is expected.
    let message: String

    /// Creates an error.
    init(_ input: String, _ message: String) {
        self.input = input
        self.message = message
    }

    var description: String { "Input '\(input)': \(message)" }
}

/// All input errors of one run, reported together before any network call.
struct InputErrors: Error, Sendable, CustomStringConvertible {
    /// The errors, in catalogue order.
    let errors: [InputError]

    var description: String { errors.map(\.description).joined(separator: "\n") }
}
