/// The pipeline job's OIDC endpoint and the job access token.
public struct PipelineOIDC: Sendable {
    /// `SYSTEM_OIDCREQUESTURI`.
    public var requestURL: URL
    /// `SYSTEM_ACCESSTOKEN`.
    public var jobAccessToken: Secret

    /// Creates it.
    public init(requestURL: URL, jobAccessToken: Secret) {
        self.requestURL = requestURL
        self.jobAccessToken = jobAccessToken
    }
}
