/// Options of `service-connection-convert` (`removeSecretAfterConversion`, and the job's OIDC
/// endpoint it proves converted connections with).
struct ConversionOptions: Sendable {
    /// Remove the client secret the converted connections used, after `graceHours`, when no holder is left.
    var removeSecretAfterConversion = false
    /// The job's OIDC endpoint and token, to prove a converted connection works (nil outside a job).
    var pipelineOIDC: PipelineOIDC?
}
