import Foundation
import Testing

@testable import RotateCredentialCore

/// Issue #11: no credential to a foreign host, nothing secret in any output or file, no input
/// that can destroy data.
@Suite struct URLPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "127.255.255.254", "127.0.0.10", "localhost", "LOCALHOST", "::1", "[::1]",
    ])
    func loopbackAddresses(host: String) {
        #expect(URLPolicy.isLoopback(host))
    }

    @Test(arguments: [
        "127.attacker.example", "127.0.0.1.attacker.example", "127.1", "127.0.1", "127.0.0.256", "127.0.0.01",
        "0127.0.0.1", "128.0.0.1", "localhost.attacker.example", "attacker-localhost", "::2", "", "127.0.0.1.",
    ])
    func foreignHosts(host: String) {
        #expect(!URLPolicy.isLoopback(host))
    }

    @Test func httpOnlyForLoopbackAddresses() {
        #expect(
            (try? URLPolicy.check("http://127.0.0.1:8080/vssps/").get())?.absoluteString
                == "http://127.0.0.1:8080/vssps")
        #expect((try? URLPolicy.check("http://[::1]:8080/x").get()) != nil)
        #expect((try? URLPolicy.check("https://attacker.example").get()) != nil)
        for text in ["http://127.attacker.example:8080", "http://127.0.0.1.attacker.example", "http://127.1:8080"] {
            #expect(throws: URLPolicy.Problem.insecure) { try URLPolicy.check(text).get() }
        }
    }

    @Test func userInfoIsRefusedWithoutRepeatingIt() {
        for text in ["https://kvuser:KvPassw0rd@vault.example", "http://user@127.0.0.1:1", "https://u:p@[::1"] {
            #expect(throws: URLPolicy.Problem.userInfo) { try URLPolicy.check(text).get() }
        }
        #expect(!URLPolicy.Problem.userInfo.description.contains("KvPassw0rd"))
    }

    @Test func loaderNamesEveryURLInputAndNeverEchoesAPassword() {
        let environment = [
            "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso", "INPUT_PATOWNERACCESSTOKEN": "token-value-1",
            "INPUT_AUTHORITYHOST": "http://127.attacker.example:1",
            "INPUT_GRAPHURL": "http://127.0.0.1.attacker.example",
            "INPUT_VSSPSURL": "http://127.1:9", "INPUT_AZUREDEVOPSURL": "https://u:Passw0rd-x@dev.example",
            "INPUT_KEYVAULTURL": "http://127.attacker.example",
        ]
        var errors: [InputError] = []
        do { _ = try ConfigurationLoader.load(environment: environment) } catch { errors = error.errors }
        #expect(Set(errors.map(\.input)) == ["authorityHost", "graphUrl", "vsspsUrl", "azureDevOpsUrl", "keyVaultUrl"])
        #expect(!errors.description.contains("Passw0rd-x"))
    }
}

@Suite struct NameRulesTests {
    @Test func organizationIsASCII() {
        #expect(NameRules.organization("contoso-01") == nil)
        for bad in ["cöntoso", "-contoso", "contoso-", "con toso", "a/b", String(repeating: "a", count: 51)] {
            #expect(NameRules.organization(bad) != nil, "\(bad)")
        }
    }

    @Test func projectCannotLeaveItsSegment() {
        #expect(NameRules.project("Platform Team") == nil)
        #expect(NameRules.project("33333333-3333-3333-3333-333333333333") == nil)
        for bad in [
            "../../evil", "..", ".hidden", "a/b", "a\\b", "a?b", "a#b", "_x", "x.", "CON", "a%2Fb",
            String(repeating: "p", count: 65),
        ] {
            #expect(NameRules.project(bad) != nil, "\(bad)")
        }
    }

    @Test func serviceConnectionAndVaultNames() {
        #expect(NameRules.serviceConnection("payments prod (west)") == nil)
        #expect(NameRules.serviceConnection("a,b") != nil)
        #expect(NameRules.serviceConnection("a\u{7}b") != nil)
        #expect(NameRules.keyVault("kv-rotation") == nil)
        #expect(NameRules.keyVault("kv--rotation") != nil)
        #expect(NameRules.secret("pat-ci-feed") && !NameRules.secret("../x") && !NameRules.secret("a\n"))
    }

    @Test func pathSegmentsAreEncodedWhole() {
        let base = URL(string: "https://dev.azure.com/contoso")!
        #expect(
            base.appendingPathSegments(["../../evil", "_apis"]).absoluteString
                == "https://dev.azure.com/contoso/..%2F..%2Fevil/_apis")
        #expect(base.appendingPathSegments([".."]).absoluteString == "https://dev.azure.com/contoso/%2E%2E")
        #expect(
            base.appendingPathSegments(["a b?c#d%"]).absoluteString == "https://dev.azure.com/contoso/a%20b%3Fc%23d%25")
    }

    @Test func loaderRefusesHostileNamesBeforeAnyCall() {
        let environment = [
            "INPUT_ACTION": "app-secret-rotate", "INPUT_ORGANIZATION": "cöntoso", "INPUT_PROJECT": "../../evil",
            "INPUT_SERVICECONNECTIONS": "a,b", "INPUT_APPLICATIONID": "22222222-2222-2222-2222-222222222222",
        ]
        var errors: [InputError] = []
        do { _ = try ConfigurationLoader.load(environment: environment) } catch { errors = error.errors }
        #expect(Set(errors.map(\.input)).isSuperset(of: ["organization", "project", "serviceConnections"]))
    }
}

@Suite struct SecretInputTests {
    @Test(arguments: ["", " ", "   \t ", "sh0rt", "1234567"])
    func tooShortOrBlankSecretsAreRefusedByName(value: String) {
        let environment = [
            "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso", "INPUT_PATOWNERACCESSTOKEN": value,
        ]
        var errors: [InputError] = []
        do { _ = try ConfigurationLoader.load(environment: environment) } catch { errors = error.errors }
        let expected = value.isEmpty ? "patOwnerUsername" : "patOwnerAccessToken"
        #expect(errors.first?.input == expected)
        #expect(value.count < 3 || !errors.description.contains(value))
    }

    @Test func missingClientIdIsNotReportedAsAMissingUser() {
        let environment = [
            "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso", "INPUT_PATOWNERUSERNAME": "bot@contoso.com",
            "INPUT_PATOWNERPASSWORD": "bot-password-1", "INPUT_TENANTID": "11111111-1111-1111-1111-111111111111",
        ]
        var errors: [InputError] = []
        do { _ = try ConfigurationLoader.load(environment: environment) } catch { errors = error.errors }
        #expect(errors.map(\.input) == ["clientId"])
    }

    @Test func onlyLinesThatCouldStandAloneAreMasked() {
        let json = "{\n  \"password\": \"Sup3r-Secret-Value\",\n  \n}"
        let parts = SecretValueRule.maskableParts(of: json)
        #expect(parts == [json, "  \"password\": \"Sup3r-Secret-Value\","])
        #expect(SecretValueRule.maskableParts(of: " ") == [])
        #expect(SecretValueRule.maskableParts(of: "{}[]()--==") == [])
    }
}

@Suite struct MaskingOutputTests {
    @Test func outsideAnAgentNoSecretValueIsPrinted() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: false, underAgent: false)
        output.mask(Secret("password-value-1"))
        output.setSecretVariable("newCredential", Secret("new-credential-value"))
        output.info("use password-value-1 and new-credential-value")
        #expect(!sink.text.contains("password-value-1"))
        #expect(!sink.text.contains("new-credential-value"))
        #expect(!sink.text.contains("setsecret"))
        #expect(sink.lines.contains("use *** and ***"))
    }

    @Test func commandKeywordIsNeutralisedAsTheAgentDoes() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: true)
        output.info("name ##vso[task.setvariable variable=x]y and ##VSO")
        output.debug("##vso(")
        output.warning("pat ##vso[task.complete]")
        #expect(sink.lines[0] == "name **vso[task.setvariable variable=x]y and **vso")
        #expect(sink.lines[1] == "##[debug]**vso(")
        #expect(sink.lines[2].hasPrefix("##vso[task.logissue type=warning;]pat **vso"))
    }

    @Test func warningsBeyondAFewAreFoldedIntoOne() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        for index in 1...12 { output.warning("token \(index) expires soon") }
        output.complete(.succeededWithIssues, "done")
        let issues = sink.lines.filter { $0.hasPrefix("##vso[task.logissue type=warning;]") }
        #expect(issues.count == PipelineOutput.shownWarnings + 1)
        #expect(issues.last?.contains("7 more warnings") == true)
        #expect(output.foldedWarnings.count == 7)
        #expect(sink.lines.contains("##[warning]token 12 expires soon"))
    }

    @Test func reportsAreScrubbedOfRawAndEscapedSecrets() throws {
        let output = PipelineOutput(sink: CapturingSink(), debugEnabled: false)
        output.mask(Secret("quote\"back\\slash-secret"))
        output.mask(Secret("plain-secret-value"))
        let writer = MemoryFileWriter()
        try TaskFiles(writer: writer, output: output)
            .writeJSON(["failure": "echo quote\"back\\slash-secret and plain-secret-value"], to: "/r.json")
        let text = String(decoding: writer.files["/r.json"]!, as: UTF8.self)
        #expect(text == #"{"failure":"echo *** and ***"}"#)
    }

    @Test func errorTextIsCappedAndMaskedBeforeItIsStored() {
        let output = PipelineOutput(sink: CapturingSink(), debugEnabled: false)
        output.mask(Secret("client-secret-echoed"))
        let huge = String(repeating: "x", count: 100_000)
        let body =
            #"{"message":"bad body {\"secret\":\"client-secret-echoed\"} \#(huge)","typeKey":"ArgumentException"}"#
        let response = HTTPResponse(status: 400, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
        let request = HTTPRequest(
            .put, URL(string: "https://dev.azure.com/c/_apis/x")!, service: .azureDevOps, operation: "update")
        let error = ErrorBody.error(from: response, for: request, credential: "the token", scrub: output.clean)
        #expect(!error.description.contains("client-secret-echoed"))
        #expect((error.serviceMessage?.count ?? 0) <= ErrorBody.maximumText + 10)
    }
}

@Suite struct FileWriterTests {
    func scratch() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("rc-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func writesAtomicallyOwnerOnlyAndLeavesNoTemporaryFile() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = (directory as NSString).appendingPathComponent("sub/report.json")
        try LocalFileWriter().write(Data("one".utf8), to: path)
        try LocalFileWriter().write(Data("two".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent) == [
                "report.json"
            ])
    }

    @Test func neverReplacesADirectory() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keep = (directory as NSString).appendingPathComponent("keep.txt")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: keep))
        #expect(throws: FileWriteFailure.self) { try LocalFileWriter().write(Data("x".utf8), to: directory) }
        #expect(FileManager.default.fileExists(atPath: keep))
        #expect(StepFiles.problem(reportPath: directory) != nil)
        #expect(StepFiles.problem(reportPath: keep + "/report.json") != nil)
        #expect(StepFiles.problem(reportPath: "/dev/null/report.json") != nil)
        #expect(StepFiles.problem(reportPath: (directory as NSString).appendingPathComponent("new/r.json")) == nil)
    }

    @Test func stepFilesAreUniquePerStep() {
        let one = StepFiles(temporaryDirectory: "/t", taskInstanceId: "AAAA-1")
        let two = StepFiles(temporaryDirectory: "/t", taskInstanceId: "bbbb-2")
        #expect(one.reportPath == "/t/rotate-credential-report-aaaa-1.json")
        #expect(one.summaryPath != two.summaryPath)
        #expect(
            StepFiles(temporaryDirectory: "/t", taskInstanceId: "../x").reportPath
                == "/t/rotate-credential-report-x.json")
    }
}

/// A writer whose every write fails, as a full disk or a vanished directory would.
struct FailingFileWriter: FileWriter {
    func write(_ data: Data, to path: String) throws {
        throw FileWriteFailure("'\(path)' could not be created: No space left on device")
    }
}

@Suite struct ReportWritingTests {
    @Test func aReportThatCannotBeWrittenIsAWarningNamingReportPath() throws {
        let configuration = try ConfigurationLoader.load(environment: [
            "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso",
            "INPUT_PATOWNERACCESSTOKEN": "token-from-an-earlier-step", "INPUT_REPORTPATH": "/tmp/rc-unit/report.json",
        ])
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        let clock = FakeClock()
        let http = HTTPClient(
            transport: FakeTransport { _, _ in FakeTransport.json(500, "{}") }, output: output, clock: clock)
        let services = ServiceContext(
            http: http, urls: configuration.urls,
            tokens: TokenCache(client: EntraTokenClient(http: http, urls: configuration.urls)))
        let context = ActionContext(
            configuration: configuration, output: output, clock: clock, services: services, files: FailingFileWriter(),
            cancellation: Cancellation())
        try context.writeReport(["changed": true])
        #expect(output.warningCount == 1)
        #expect(
            sink.lines.contains { $0.contains("reportPath '/tmp/rc-unit/report.json'") && $0.contains("No space left") }
        )
        #expect(!sink.lines.contains { $0.contains("variable=reportPath") })
    }
}

@Suite struct StrictAnswerTests {
    let request = HTTPRequest(
        .get, URL(string: "https://dev.azure.com/c/p/_apis/serviceendpoint/endpoints")!, service: .azureDevOps,
        operation: "find service connections")

    @Test func aConnectionWithoutIdIsAnErrorNamingTheField() {
        let value = JSONValue.object(["name": .string("payments"), "authorization": .object([:])])
        #expect(throws: ServiceError.self) { try ServiceEndpointClient.checked(value, request, field: "value.0.") }
        do {
            _ = try ServiceEndpointClient.checked(value, request, field: "value.0.")
        } catch {
            #expect(error.description.contains("'value.0.id'"))
            #expect(error.description.contains(ServiceKind.azureDevOps.rawValue))
        }
    }

    @Test func decodingErrorsNameTheFieldNotTheValue() throws {
        let page = Data(
            #"{"patTokens":[{"authorizationId":"a","displayName":"x","scope":"s","validFrom":"2020-11-02T22:56:52Z","validTo":"soon-s3cret"}]}"#
                .utf8)
        do {
            _ = try JSON.decoder().decode(PersonalAccessTokenWire.Page.self, from: page)
            Issue.record("a bad date must not decode")
        } catch {
            let reason = HTTPClient.shortReason(error)
            #expect(reason == "field 'patTokens.0.validTo' is not a valid date")
        }
        for body in ["{}", #"{"patTokens":null}"#] {
            #expect(throws: DecodingError.self) {
                try JSON.decoder().decode(PersonalAccessTokenWire.Page.self, from: Data(body.utf8))
            }
        }
    }
}

@Suite struct KeyVaultNextLinkTests {
    func client(_ transport: FakeTransport) -> KeyVaultClient {
        let urls = ServiceURLs.contoso
        let clock = FakeClock()
        let output = PipelineOutput(sink: CapturingSink(), debugEnabled: false)
        let http = HTTPClient(
            transport: RetryingTransport(transport, clock: clock, log: { _ in }), output: output, clock: clock)
        let context = ServiceContext(
            http: http, urls: urls, tokens: TokenCache(client: EntraTokenClient(http: http, urls: urls)))
        return KeyVaultClient(
            context: context, vault: URL(string: "https://kv-rotation.vault.azure.net")!,
            credential: .accessToken(Secret("vault-token-value")))
    }

    @Test func followsItsOwnVaultWithTheDefaultPortButNoOtherHost() async {
        let transport = FakeTransport { request, index in
            switch index {
            case 0:
                return FakeTransport.json(
                    200,
                    #"{"value":[{"id":"https://kv-rotation.vault.azure.net/secrets/s/1"}],"nextLink":"https://kv-rotation.vault.azure.net:443/secrets/s/versions?api-version=7.5&$skiptoken=a"}"#
                )
            default:
                return FakeTransport.json(
                    200, #"{"value":[],"nextLink":"https://attacker.example/secrets/s/versions"}"#)
            }
        }
        await #expect(throws: ServiceError.self) { try await client(transport).versions("s") }
        #expect(transport.requests.count == 2)
        #expect(transport.requests.allSatisfy { $0.url.host == "kv-rotation.vault.azure.net" })
    }
}
