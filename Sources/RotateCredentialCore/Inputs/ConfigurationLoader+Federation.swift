extension ConfigurationLoader {
    /// `removeSecretAfterConversion`, refused unless the action reads it, and, for an action that
    /// reads ``InputGroup/pipelineOIDC``, the job's OIDC endpoint (`SYSTEM_OIDCREQUESTURI`) and
    /// access token, with which the task proves a converted connection.
    mutating func readConversion(action: ActionName, reads groups: Set<InputGroup>) -> ConversionOptions {
        var options = ConversionOptions()
        options.removeSecretAfterConversion = bool("removeSecretAfterConversion")
        if options.removeSecretAfterConversion, !groups.contains(.conversion) {
            fail(
                "removeSecretAfterConversion",
                "only service-connection-convert removes secrets after conversion; use app-secret-revoke for \(action.rawValue)."
            )
        }
        guard groups.contains(.pipelineOIDC), let text = variable("SYSTEM_OIDCREQUESTURI"),
            let token = systemAccessToken(), let url = url("SYSTEM_OIDCREQUESTURI", text)
        else { return options }
        options.pipelineOIDC = PipelineOIDC(requestURL: url, jobAccessToken: token)
        return options
    }
}
