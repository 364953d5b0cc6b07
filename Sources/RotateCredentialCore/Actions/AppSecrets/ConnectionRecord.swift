/// Which service connections were given a Key Vault version's value, as versions written before
/// the task kept its record named them in a tag. Read only, to adopt them into the record
/// (``AppSecretConsumers``); the record keeps holders by connection id now, without a limit.
enum ConnectionRecord {
    /// The tag holding the names (lower-cased, comma-separated).
    static let tag = "connections"

    /// The names recorded in `tags`.
    static func names(in tags: [String: String]) -> Set<String> {
        Set(
            (tags[tag] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter
            { !$0.isEmpty })
    }
}
