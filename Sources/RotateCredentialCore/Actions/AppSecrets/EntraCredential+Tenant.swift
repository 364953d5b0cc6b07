extension EntraCredential {
    /// The tenant the identity signs in to, when it names one.
    var tenantId: String? {
        switch self {
        case .clientSecret(let tenant, _, _), .workloadIdentity(let tenant, _, _), .password(let tenant, _, _, _, _):
            return tenant
        case .accessToken, .session:
            return nil
        }
    }
}
