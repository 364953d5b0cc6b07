/// The `--help` text: every input with its environment variable.
enum HelpText {
    /// The text, naming `actions`.
    static func text(actions: [ActionName]) -> String {
        var lines = [
            "rotate-credential \(Version.current): rotate Azure DevOps PATs, Entra app client secrets and service connections.",
            "",
            "Runs as an Azure Pipelines task or on its own (cron, container). Everything comes from the environment:",
            "inputs as INPUT_<NAME>, as the agent passes them. No command-line arguments except --help, --version and",
            "--check-inputs (validate the inputs as a run would, call nothing; exit 0 when they are valid, 1 when not).",
            "",
            "Inputs:",
        ]
        let width = InputCatalogue.all.map { $0.environmentVariable.count }.max() ?? 0
        for input in InputCatalogue.all {
            let padded = input.environmentVariable.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = "  \(padded)  \(input.summary)"
            if let value = input.defaultValue { line += " Default: \(value)." }
            // A required input with a default is always given (the agent passes the default).
            if input.isRequired, input.defaultValue == nil { line += " Required." }
            if input.isSecret { line += " Secret: pass it from a secret variable." }
            lines.append(line)
        }
        lines += [
            "",
            "Agent variables also read: SYSTEM_ACCESSTOKEN, SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECT, SYSTEM_OIDCREQUESTURI,",
            "SYSTEM_DEBUG, AGENT_TEMPDIRECTORY, ENDPOINT_AUTH_*_<id> / ENDPOINT_DATA_<id>_* of azureSubscription,",
            "AGENT_PROXYURL, AGENT_PROXYUSERNAME, SECRET_AGENT_PROXYPASSWORD, AGENT_PROXYBYPASSLIST, HTTPS_PROXY, NO_PROXY,",
            "AGENT_CAINFO (a CA file trusted in addition to the system roots), AGENT_CLIENTCERT, AGENT_CLIENTCERTKEY,",
            "AGENT_CLIENTCERTARCHIVE, SECRET_AGENT_CLIENTCERTPASSWORD.",
            "TF_BUILD and BUILD_DEFINITIONNAME (pat-owner-login: on an agent, and the pipeline to name in later errors).",
            "",
            "Outside a pipeline (no TF_BUILD, AGENT_ID or AGENT_TEMPDIRECTORY) no secret value is printed, not even",
            "as ##vso[task.setsecret]: new values go to Key Vault only.",
            "",
            "Actions: \(actions.map(\.rawValue).joined(separator: ", ")).",
            "Exit code 0 on success, 1 on failure (with ##vso[task.logissue type=error] naming the cause and the fix).",
        ]
        return lines.joined(separator: "\n")
    }
}
