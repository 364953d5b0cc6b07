/// What a secret value must look like to be used, and which parts of one are worth masking.
///
/// No real Entra client secret, password or token is shorter than 8 characters, and the agent
/// masks registered values of any length: registering a space, `{` or a two-letter value would
/// turn every occurrence of it in the rest of the job's log into `***`.
enum SecretValueRule {
    /// The shortest value accepted as a secret input and registered with the masker.
    static let minimumLength = 8

    /// Why `value` cannot be a secret input (never repeating it), or nil when it can.
    static func problem(_ value: String) -> String? {
        if value.allSatisfy({ $0.isWhitespace || $0.isNewline }) {
            return "is blank (only whitespace); map it from a secret variable that holds the value."
        }
        if value.count < minimumLength {
            return
                "is shorter than \(minimumLength) characters; no real client secret, password or token is that short (check the variable it comes from)."
        }
        return nil
    }

    /// Whether `text` could stand alone as a secret: at least ``minimumLength`` characters and not
    /// only punctuation, symbols or whitespace. Only such values are registered with the masker.
    static func standsAlone(_ text: String) -> Bool {
        text.count >= minimumLength
            && text.contains { !($0.isWhitespace || $0.isNewline || $0.isPunctuation || $0.isSymbol) }
    }

    /// The values to register for `value`: the whole value and each line that stands alone.
    static func maskableParts(of value: String) -> [String] {
        var parts = standsAlone(value) ? [value] : []
        if value.contains(where: \.isNewline) {
            parts += value.split(whereSeparator: \.isNewline).map(String.init).filter(standsAlone)
        }
        return parts
    }
}
