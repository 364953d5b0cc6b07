/// Everything an action uses: configuration, output, clock, files and the service clients.
struct ActionContext: Sendable {
    /// The configuration.
    let configuration: Configuration
    /// Pipeline output.
    let output: PipelineOutput
    /// Time.
    let clock: any WallClock
    /// HTTP, URLs, tokens.
    let services: ServiceContext
    /// Files.
    let files: any FileWriter
    /// Set by SIGINT/SIGTERM; checked at step boundaries.
    let cancellation: Cancellation
    /// What a dry run planned to change, for its access check (``AccessCheck``).
    let access = AccessLedger()

    /// Runs plans (knows about dry runs and stop requests).
    var runner: PlanRunner {
        PlanRunner(output: output, dryRun: configuration.dryRun, cancellation: cancellation, access: access)
    }

    /// The services' time now (their `Date` header), for decisions that compare with their timestamps.
    var serviceNow: Date { services.http.serviceClock.now() }

    /// The Key Vault client, when a vault is configured.
    func keyVault() -> KeyVaultClient? {
        configuration.keyVaultAccess.map(keyVault)
    }

    /// The client of the vault `access` names, with its identity.
    func keyVault(_ access: KeyVaultAccess) -> KeyVaultClient {
        KeyVaultClient(context: services, vault: access.url, credential: access.credential)
    }

    /// Writes the JSON report (owner-only, scrubbed by ``TaskFiles``) and sets the `reportPath`
    /// output variable. A report that cannot be written is a warning, never a failure: the
    /// credentials are already in the state the log describes.
    func writeReport<Report: Encodable>(_ report: Report) throws {
        do {
            try TaskFiles(writer: files, output: output).writeJSON(report, to: configuration.reportPath)
            output.setVariable("reportPath", configuration.reportPath)
        } catch {
            output.warning(
                "The report could not be written to reportPath '\(configuration.reportPath)' (\(FileWriteFailure.describe(error))). This does not change the outcome: the credentials are in the state this log and the run summary describe."
            )
        }
    }
}
