extension ConfigurationLoader {
    /// `removeSecretAfterConversion`, and for `service-connection-convert` the job's OIDC endpoint
    /// (`SYSTEM_OIDCREQUESTURI`) and access token, with which the task proves a converted connection.
    mutating func readFederation(action: Action) -> FederationOptions {
        var options = FederationOptions()
        options.removeSecretAfterConversion = bool("removeSecretAfterConversion")
        guard action == .serviceConnectionConvert, let text = variable("SYSTEM_OIDCREQUESTURI"),
            let token = systemAccessToken(), let url = url("SYSTEM_OIDCREQUESTURI", text)
        else { return options }
        options.pipelineOIDC = PipelineOIDC(requestURL: url, jobAccessToken: token)
        return options
    }
}
