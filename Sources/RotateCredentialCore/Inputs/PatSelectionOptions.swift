/// Which PATs an action acts on, and the scope of new ones (`tokenDisplayNames`, `scope`).
struct PatSelectionOptions: Sendable {
    /// Display-name patterns; none selects nothing.
    var displayNames: [NamePattern]
    /// Scope override for new tokens.
    var scope: String?
}
