/// The pipeline job's OIDC endpoint and the job access token.
struct PipelineOIDC: Sendable {
    /// `SYSTEM_OIDCREQUESTURI`.
    var requestURL: URL
    /// `SYSTEM_ACCESSTOKEN`.
    var jobAccessToken: Secret

}
