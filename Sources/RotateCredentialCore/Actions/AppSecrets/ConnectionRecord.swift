/// Which service connections were given a Key Vault version's value, kept in that version's tags
/// (a connection's key cannot be read back, so the task records what it wrote).
enum ConnectionRecord {
    /// The tag holding the names (lower-cased, comma-separated).
    static let tag = "connections"
    /// The tag holding when the last one was written.
    static let updatedTag = "connectionsUpdated"

    /// The names recorded in `tags`.
    static func names(in tags: [String: String]) -> Set<String> {
        Set(
            (tags[tag] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter
            { !$0.isEmpty })
    }

    /// `tags` with `name` added; nil when the list would not fit in a tag (256 characters).
    static func adding(_ name: String, to tags: [String: String], at time: String) -> [String: String]? {
        let all = (names(in: tags).union([name.lowercased()])).sorted().joined(separator: ",")
        guard all.count <= 256 else { return nil }
        var updated = tags
        updated[tag] = all
        updated[updatedTag] = time
        return updated
    }
}
