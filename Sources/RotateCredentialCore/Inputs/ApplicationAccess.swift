/// The application whose client secrets an action manages and the identity that owns it, as the
/// descriptor builds it once ``ActionRequirements/application`` accepted the inputs.
struct ApplicationAccess: Sendable {
    /// Who reads and changes the application in Microsoft Graph.
    var identity: EntraCredential
    /// Its application (client) id or object id.
    var applicationId: String

    /// The application of `configuration`.
    static func of(_ configuration: Configuration) throws(InternalError) -> ApplicationAccess {
        ApplicationAccess(
            identity: try InternalError.unwrap(
                configuration.identities.azure,
                "\(configuration.action) without an Azure identity passed the input check"),
            applicationId: try InternalError.unwrap(
                configuration.clientSecret.applicationId,
                "\(configuration.action) without applicationId passed the input check"))
    }
}
