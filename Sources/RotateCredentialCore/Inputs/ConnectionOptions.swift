/// The service connections an action writes or reads, and what it may do to them
/// (`serviceConnections`, `convertAutomaticConnections`, `allowForeignServiceConnections`,
/// `servicePrincipalKey`).
struct ConnectionOptions: Sendable {
    /// Service connection names.
    var serviceConnections: [String]
    /// Convert Automatic connections to Manual.
    var convertAutomaticConnections: Bool
    /// Update connections of another service principal.
    var allowForeignServiceConnections: Bool
    /// Secret to write (service-connection-update).
    var servicePrincipalKey: Secret?
}
