/// Reads the task's inputs and the agent's variables into a ``Configuration``, collecting every
/// problem instead of stopping at the first.
struct ConfigurationLoader {
    private let environment: [String: String]
    /// Every problem found so far, in the order found.
    private(set) var errors: [InputError] = []

    /// Creates a loader over a process environment.
    init(environment: [String: String]) {
        self.environment = environment
    }

    // MARK: - Reading

    /// The raw value of an input: trimmed, `nil` when absent or empty.
    func raw(_ name: String) -> String? {
        variable(InputCatalogue.definition(name).environmentVariable)
    }

    func variable(_ name: String) -> String? {
        let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines)
        return value?.isEmpty == false ? value : nil
    }

    /// An endpoint variable. The agent keys them by the endpoint id exactly as the input gives it
    /// (a lower-case GUID) and upper-cases only the parameter name.
    func endpointVariable(_ prefix: String, _ id: String, _ suffix: String = "") -> String? {
        let tail = suffix.isEmpty ? "" : "_" + suffix
        return variable("\(prefix)_\(id)\(tail)") ?? variable("\(prefix)_\(id.uppercased())\(tail)")
    }

    /// Reports a problem of `input`; the same problem found twice (a value two groups read) is
    /// reported once.
    mutating func fail(_ input: String, _ message: String) {
        let error = InputError(input, message)
        guard !errors.contains(error) else { return }
        errors.append(error)
    }

    mutating func string(_ name: String) -> String? {
        raw(name) ?? InputCatalogue.definition(name).defaultValue
    }

    mutating func secret(_ name: String) -> Secret? {
        // Secrets keep their exact value: only empty means absent.
        guard let value = environment[InputCatalogue.definition(name).environmentVariable], !value.isEmpty else {
            return nil
        }
        if let problem = SecretValueRule.problem(value) { fail(name, problem) }
        return Secret(value)
    }

    mutating func bool(_ name: String) -> Bool {
        let text = string(name) ?? "false"
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default:
            fail(name, "expected true or false, got '\(text)'.")
            return false
        }
    }

    mutating func integer(_ name: String) -> Int {
        let definition = InputCatalogue.definition(name)
        guard case .integer(let range) = definition.kind else { preconditionFailure("\(name) is not an integer") }
        let text = string(name) ?? "0"
        guard let value = Int(text) else {
            fail(name, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'.")
            return range.lowerBound
        }
        guard range.contains(value) else {
            fail(name, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(value).")
            return min(max(value, range.lowerBound), range.upperBound)
        }
        return value
    }

    mutating func lines(_ name: String) -> [String] {
        (raw(name) ?? "").split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A URL input: absolute, no user info, HTTPS (HTTP only for a loopback address), no trailing
    /// slash (``URLPolicy``).
    mutating func url(_ name: String, _ text: String?) -> URL? {
        checked(name, text, URLPolicy.check)
    }

    /// A service URL input: as ``url(_:_:)``, and without a query, a fragment or dot segments
    /// (``URLPolicy/checkService(_:)``): the task appends the paths of its requests to it.
    mutating func serviceURL(_ name: String, _ text: String?) -> URL? {
        checked(name, text, URLPolicy.checkService)
    }

    private mutating func checked(
        _ name: String, _ text: String?, _ policy: (String) -> Result<URL, URLPolicy.Problem>
    ) -> URL? {
        guard let text else { return nil }
        switch policy(text) {
        case .success(let url): return url
        case .failure(let problem):
            fail(name, problem == .userInfo ? problem.description : "\(problem.description) Got '\(text)'.")
            return nil
        }
    }

    static func isGUID(_ text: String) -> Bool {
        UUID(uuidString: text) != nil
    }

    // MARK: - Building

    /// Reads the `action` input: one of `names`, else nil and an error naming them all.
    mutating func readAction(names: [ActionName]) -> ActionName? {
        let known = names.map(\.rawValue).joined(separator: ", ")
        guard let text = raw("action") else {
            fail("action", "required; one of \(known).")
            return nil
        }
        guard let name = names.first(where: { $0.rawValue == text }) else {
            fail("action", "unknown action '\(text)'; expected one of \(known).")
            return nil
        }
        return name
    }

    /// Reads every input into the configuration of `action` (nil when the `action` input was
    /// wrong), which reads the option groups `groups`; every problem is collected.
    mutating func build(action: ActionName?, reads groups: Set<InputGroup>) -> Configuration? {
        let dryRun = bool("dryRun")
        let azureDevOpsUrl = serviceURL("azureDevOpsUrl", string("azureDevOpsUrl"))
        let organization = readOrganization(azureDevOpsUrl: azureDevOpsUrl)
        let project = readProject()
        let urls = readURLs(organization: organization ?? "organization", azureDevOps: azureDevOpsUrl)
        let keyVault = readKeyVault()
        let azureIdentity = readAzureIdentity()
        let patOwner = readPatOwner()
        let patOwnerSignIn = readPatOwnerSignIn(signsIn: groups.contains(.patOwnerSignIn))
        let pat = PatSelectionOptions(
            displayNames: lines("tokenDisplayNames").map(NamePattern.init), scope: readScope())
        let lifetimes = LifetimeOptions(
            renewWithinDays: integer("renewWithinDays"), validityDays: integer("validityDays"),
            graceHours: integer("graceHours"))
        let clientSecret = ClientSecretOptions(
            applicationId: readApplicationId(), secretDisplayName: readSecretDisplayName(),
            replicationTimeoutSeconds: integer("replicationTimeoutSeconds"), keepSecrets: integer("keepSecrets"))
        let connections = ConnectionOptions(
            serviceConnections: readServiceConnections(),
            convertAutomaticConnections: bool("convertAutomaticConnections"),
            allowForeignServiceConnections: bool("allowForeignServiceConnections"),
            servicePrincipalKey: secret("servicePrincipalKey"))
        let identities = Identities(
            azure: azureIdentity, patOwner: patOwner, patOwnerSignIn: patOwnerSignIn,
            azureDevOps: readAzureDevOpsIdentity(azureIdentity: azureIdentity))
        let temporaryDirectory = variable("AGENT_TEMPDIRECTORY") ?? FileManager.default.temporaryDirectory.path
        let stepFiles = StepFiles(
            temporaryDirectory: temporaryDirectory, taskInstanceId: variable("SYSTEM_TASKINSTANCEID"))
        let reportPath = readReportPath() ?? stepFiles.reportPath
        let http = HTTPSettingsReader.read(
            environment, requestTimeoutSeconds: Double(integer("requestTimeoutSeconds")), errors: &errors)
        let maxParallel = integer("maxParallel")

        guard let action, let organization, let urls else { return nil }
        return Configuration(
            action: action, dryRun: dryRun, debug: variable("SYSTEM_DEBUG")?.lowercased() == "true",
            organization: organization, project: project, urls: urls, identities: identities, keyVault: keyVault,
            pat: pat, lifetimes: lifetimes, clientSecret: clientSecret, connections: connections,
            conversion: readConversion(action: action, reads: groups), reportPath: reportPath,
            temporaryDirectory: temporaryDirectory, summaryPath: stepFiles.summaryPath, maxParallel: maxParallel,
            http: http, underAgent: AgentPresence.isUnderAgent(environment), run: RunIdentity(environment: environment))
    }

    /// `applicationId`: an application (client) id or object id, both GUIDs.
    mutating func readApplicationId() -> String? {
        let id = raw("applicationId")
        if let id, !Self.isGUID(id) {
            fail("applicationId", "'\(id)' is not a GUID (the application id or object id).")
        }
        return id
    }

    /// `scope`: known Azure DevOps scope tokens separated by spaces (``AzureDevOpsScopes``).
    mutating func readScope() -> String? {
        guard let text = raw("scope") else { return nil }
        if let problem = AzureDevOpsScopes.problem(text) {
            fail("scope", problem)
            return nil
        }
        return AzureDevOpsScopes.normalized(text)
    }

    /// `secretDisplayName`: within Graph's limits and without control characters
    /// (``NameRules/secretDisplayName(_:)``).
    mutating func readSecretDisplayName() -> String? {
        guard let name = raw("secretDisplayName") else { return nil }
        if let problem = NameRules.secretDisplayName(name) {
            fail("secretDisplayName", problem)
            return nil
        }
        return name
    }

    /// `organization`: a name, or the organization's URL on the configured Azure DevOps host
    /// (`azureDevOpsUrl`); empty, the agent's collection URI.
    mutating func readOrganization(azureDevOpsUrl: URL?) -> String? {
        let given = raw("organization")
        let source = given ?? variable("SYSTEM_COLLECTIONURI") ?? variable("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI")
        guard let source else {
            fail("organization", "required outside a pipeline: the organization name (e.g. contoso) or its URL.")
            return nil
        }
        let input = given == nil ? "SYSTEM_COLLECTIONURI" : "organization"
        var name = source
        if source.contains("://") {
            guard let named = organization(inURL: source, input: input, on: given == nil ? nil : azureDevOpsUrl)
            else { return nil }
            name = named
        }
        if let problem = NameRules.organization(name) {
            fail(input, problem)
            return nil
        }
        return name
    }

    /// The organization the URL `text` names: the first label of a `{organization}.visualstudio.com`
    /// host, else the last path segment. With `base` (a URL given as `organization`), the URL must be
    /// the organization's URL on that host: the task calls `base`, so another host would be lost.
    private mutating func organization(inURL text: String, input: String, on base: URL?) -> String? {
        let shown = text.contains("@") ? "the value given (not shown: it contains '@')" : "'\(text)'"
        // The agent's collection URI only names the organization (an Azure DevOps Server may use
        // plain http); a URL given as input must be one the task could call.
        let parsed = base == nil ? URL(string: text) : try? URLPolicy.checkService(text).get()
        guard let url = parsed, let host = url.host?.lowercased(), url.user == nil, url.password == nil else {
            fail(
                input,
                "\(shown) is neither an organization name nor an https:// URL without user info, query or fragment.")
            return nil
        }
        let legacy = host.hasSuffix(".visualstudio.com")
        guard let name = legacy ? host.split(separator: ".").first.map(String.init) : url.pathComponents.last,
            name != "/"
        else {
            fail(input, "no organization name in \(shown).")
            return nil
        }
        if let base, !Self.isOrganizationURL(url, name: name, on: base) {
            fail(
                input,
                "\(shown) is not an organization's URL on the Azure DevOps host the task calls (azureDevOpsUrl \(base.absoluteString)): give the organization's name, or its URL \(base.absoluteString)/{organization}; for another host, set azureDevOpsUrl."
            )
            return nil
        }
        return name
    }

    /// Whether `url` is organization `name`'s URL on the Azure DevOps host `base`: `{base}/{name}`,
    /// or `https://{name}.visualstudio.com` (the older URL of the same organizations) when `base` is
    /// `https://dev.azure.com`.
    static func isOrganizationURL(_ url: URL, name: String, on base: URL) -> Bool {
        let host = url.host?.lowercased()
        let path = url.pathComponents.filter { $0 != "/" }
        if host == "\(name.lowercased()).visualstudio.com" {
            return base.host?.lowercased() == "dev.azure.com" && path.isEmpty && url.scheme == "https"
        }
        let basePath = base.pathComponents.filter { $0 != "/" }
        return url.scheme?.lowercased() == base.scheme?.lowercased() && host == base.host?.lowercased()
            && url.port == base.port && path.map { $0.lowercased() } == (basePath + [name]).map { $0.lowercased() }
    }

    mutating func readProject() -> String? {
        let given = raw("project")
        guard let project = given ?? variable("SYSTEM_TEAMPROJECT") else { return nil }
        if let problem = NameRules.project(project) {
            fail(given == nil ? "SYSTEM_TEAMPROJECT" : "project", problem)
            return nil
        }
        return project
    }

    mutating func readServiceConnections() -> [String] {
        let names = lines("serviceConnections")
        for problem in names.compactMap(NameRules.serviceConnection) {
            fail("serviceConnections", problem)
        }
        return names
    }

    mutating func readReportPath() -> String? {
        guard let path = raw("reportPath") else { return nil }
        if let problem = StepFiles.problem(reportPath: path) { fail("reportPath", problem) }
        return path
    }

    /// The service URLs, `azureDevOps` (read before the organization, which it checks) included.
    mutating func readURLs(organization: String, azureDevOps: URL?) -> ServiceURLs? {
        let authority = serviceURL("authorityHost", string("authorityHost"))
        let graph = serviceURL("graphUrl", string("graphUrl"))
        let vssps = serviceURL("vsspsUrl", string("vsspsUrl"))
        guard let authority, let graph, let azureDevOps, let vssps else { return nil }
        return ServiceURLs(
            authorityHost: authority, graph: graph,
            azureDevOpsOrganization: azureDevOps.appendingPathSegments([organization]),
            vsspsOrganization: vssps.appendingPathSegments([organization]),
            keyVaultScope: Cloud.keyVaultScope(authorityHost: authority))
    }

    mutating func readKeyVault() -> KeyVaultTarget? {
        let template = raw("secretName")
        if let template {
            let name = template.replacingOccurrences(of: "{displayName}", with: "x")
            if !NameRules.secret(name) {
                fail(
                    "secretName",
                    "'\(template)' is not a Key Vault secret name: 1 to 127 letters, digits and hyphens (placeholder {displayName} allowed)."
                )
            }
        }
        if let text = raw("keyVaultUrl") {
            return serviceURL("keyVaultUrl", text).map { KeyVaultTarget(url: $0, secretNameTemplate: template) }
        }
        guard let name = raw("keyVaultName") else { return nil }
        if let problem = NameRules.keyVault(name) {
            fail("keyVaultName", problem)
            return nil
        }
        let suffix = Cloud.keyVaultDNSSuffix(authorityHost: URL(string: string("authorityHost") ?? ""))
        return URL(string: "https://\(name.lowercased())\(suffix)").map {
            KeyVaultTarget(url: $0, secretNameTemplate: template)
        }
    }

    mutating func readAzureIdentity() -> EntraCredential? {
        if let endpoint = raw("azureSubscription") {
            return readServiceConnectionIdentity(endpoint)
        }
        guard let clientSecret = secret("clientSecret") else { return nil }
        guard let tenant = readTenant(), let client = readClientId() else { return nil }
        return .clientSecret(tenantId: tenant, clientId: client, secret: clientSecret)
    }

    mutating func readTenant() -> String? {
        guard let tenant = raw("tenantId") else {
            fail("tenantId", "required with clientSecret or the password flow: the Entra tenant id (a GUID) or domain.")
            return nil
        }
        let domainPattern = "^[a-zA-Z0-9][a-zA-Z0-9.-]*\\.[a-zA-Z]{2,}$"
        guard Self.isGUID(tenant) || tenant.range(of: domainPattern, options: .regularExpression) != nil else {
            fail("tenantId", "'\(tenant)' is neither a GUID nor a domain such as contoso.onmicrosoft.com.")
            return nil
        }
        if ["common", "consumers"].contains(tenant.lowercased()) {
            fail("tenantId", "'\(tenant)' cannot be used here; give the tenant id.")
            return nil
        }
        return tenant
    }

    mutating func readClientId() -> String? {
        guard let client = raw("clientId") else {
            fail("clientId", "required with clientSecret or the password flow: the application (client) id, a GUID.")
            return nil
        }
        guard Self.isGUID(client) else {
            fail("clientId", "'\(client)' is not a GUID.")
            return nil
        }
        return client
    }

    mutating func readServiceConnectionIdentity(_ id: String) -> EntraCredential? {
        guard let scheme = endpointVariable("ENDPOINT_AUTH_SCHEME", id) else {
            fail(
                "azureSubscription",
                "the service connection '\(id)' is not available to this step (no ENDPOINT_AUTH_SCHEME_\(id)); authorize the pipeline to use it."
            )
            return nil
        }
        let tenant = endpointVariable("ENDPOINT_AUTH_PARAMETER", id, "TENANTID")
        let client = endpointVariable("ENDPOINT_AUTH_PARAMETER", id, "SERVICEPRINCIPALID")
        guard let tenant, let client else {
            fail("azureSubscription", "the service connection '\(id)' has no tenant id or service principal id.")
            return nil
        }
        switch scheme.lowercased() {
        case "serviceprincipal":
            let authenticationType = endpointVariable("ENDPOINT_AUTH_PARAMETER", id, "AUTHENTICATIONTYPE") ?? "spnKey"
            guard authenticationType.lowercased() == "spnkey",
                let key = endpointVariable("ENDPOINT_AUTH_PARAMETER", id, "SERVICEPRINCIPALKEY")
            else {
                fail(
                    "azureSubscription",
                    "the service connection uses \(authenticationType); only a client secret (spnKey) or workload identity federation is supported."
                )
                return nil
            }
            if let problem = SecretValueRule.problem(key) {
                fail("azureSubscription", "the service connection's client secret \(problem)")
                return nil
            }
            return .clientSecret(tenantId: tenant, clientId: client, secret: Secret(key))
        case "workloadidentityfederation":
            guard let requestURI = variable("SYSTEM_OIDCREQUESTURI") else {
                fail(
                    "azureSubscription",
                    "workload identity federation needs SYSTEM_OIDCREQUESTURI, which the agent sets in a pipeline job.")
                return nil
            }
            guard let requestURL = url("SYSTEM_OIDCREQUESTURI", requestURI) else { return nil }
            guard let jobToken = systemAccessToken() else {
                fail(
                    "azureSubscription", "workload identity federation needs the job access token (SYSTEM_ACCESSTOKEN)."
                )
                return nil
            }
            return .workloadIdentity(
                tenantId: tenant, clientId: client,
                oidc: OIDCTokenRequest(requestURL: requestURL, serviceConnectionId: id, jobAccessToken: jobToken))
        default:
            fail(
                "azureSubscription",
                "the service connection's scheme \(scheme) is not supported; use a client secret or workload identity federation."
            )
            return nil
        }
    }

    func systemAccessToken() -> Secret? {
        (environment["SYSTEM_ACCESSTOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN"].flatMap { $0.isEmpty ? nil : $0 })
            .map(Secret.init)
    }

    mutating func readPatOwner() -> EntraCredential? {
        if let token = secret("patOwnerAccessToken") {
            if raw("patOwnerUsername") != nil {
                fail(
                    "patOwnerAccessToken",
                    "give either patOwnerAccessToken or patOwnerUsername/patOwnerPassword, not both.")
            }
            return .accessToken(token)
        }
        guard let username = raw("patOwnerUsername") else {
            if secret("patOwnerPassword") != nil {
                fail("patOwnerUsername", "required with patOwnerPassword: the technical user's sign-in name.")
            }
            return nil
        }
        guard let password = secret("patOwnerPassword") else {
            fail("patOwnerPassword", "required with patOwnerUsername; map it from a secret variable.")
            return nil
        }
        guard let tenant = readTenant(), let client = readClientId() else { return nil }
        return .password(
            tenantId: tenant, clientId: client, clientSecret: secret("clientSecret"), username: username,
            password: password)
    }

    /// `patOwnerRefreshTokenSecret` and what goes with it. An action that signs the PAT owner in
    /// (`pat-owner-login`) needs tenantId and clientId (the public client); the PAT actions take
    /// them from the secret's tags and use the inputs only as a fallback.
    mutating func readPatOwnerSignIn(signsIn login: Bool) -> PatOwnerSignIn? {
        let flowText = string("signInFlow") ?? PatOwnerSignIn.Flow.deviceCode.rawValue
        let flow = PatOwnerSignIn.Flow(rawValue: flowText)
        if flow == nil {
            fail("signInFlow", "expected deviceCode or browser, got '\(flowText)'.")
        }
        for input in ["tenantId", "clientId"] where login && raw(input) == nil {
            fail(
                input,
                "required for pat-owner-login: \(input == "tenantId" ? "the Entra tenant the PAT owner signs in to" : "the application (client) id of the public client (\"Allow public client flows\" on) with the delegated Azure DevOps permission vso.pats_manage")."
            )
        }
        guard let name = raw("patOwnerRefreshTokenSecret") else { return nil }
        if name.range(of: "^[0-9a-zA-Z-]{1,127}$", options: .regularExpression) == nil {
            fail(
                "patOwnerRefreshTokenSecret",
                "'\(name)' is not a Key Vault secret name: 1 to 127 letters, digits and hyphens.")
        }
        let tenant = raw("tenantId") != nil && login ? readTenant() : raw("tenantId")
        let client = raw("clientId") != nil && login ? readClientId() : raw("clientId")
        return PatOwnerSignIn(
            secretName: name, tenantId: tenant, clientId: client, flow: flow ?? .deviceCode,
            pipelineName: variable("BUILD_DEFINITIONNAME"), onAgent: AgentPresence.isUnderAgent(environment))
    }

    mutating func readAzureDevOpsIdentity(azureIdentity: EntraCredential?) -> AzureDevOpsCredential? {
        switch string("azureDevOpsIdentity") {
        case "azureSubscription":
            return azureIdentity.map(AzureDevOpsCredential.entra)
        case "systemAccessToken":
            return systemAccessToken().map(AzureDevOpsCredential.systemAccessToken)
        case let other:
            fail("azureDevOpsIdentity", "expected systemAccessToken or azureSubscription, got '\(other ?? "")'.")
            return nil
        }
    }
}
