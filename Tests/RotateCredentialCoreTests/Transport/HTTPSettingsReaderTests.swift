import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct HTTPSettingsReaderTests {
    func read(_ environment: [String: String]) -> (HTTPSettings, [InputError]) {
        var errors: [InputError] = []
        let settings = HTTPSettingsReader.read(environment, requestTimeoutSeconds: 30, errors: &errors)
        return (settings, errors)
    }

    @Test func agentProxyTakesCredentialsFromTheAgentVariables() throws {
        let (settings, errors) = read([
            "AGENT_PROXYURL": "http://proxy.corp:3128", "AGENT_PROXYUSERNAME": "svc",
            "SECRET_AGENT_PROXYPASSWORD": "Pr0xyPa55word", "AGENT_PROXYBYPASSLIST": #"["\\.corp$"]"#,
        ])
        #expect(errors.isEmpty)
        let proxy = try #require(settings.proxy)
        #expect(proxy.variable == "AGENT_PROXYURL")
        #expect(proxy.endpoint == "proxy.corp:3128")
        #expect(proxy.username == "svc")
        #expect(proxy.password == Secret("Pr0xyPa55word"))
        #expect(proxy.bypass == .agentPatterns(["\\.corp$"]))
    }

    @Test func proxyURLsWithUserInfoAreRejectedByTheVariableSetWithoutEchoingThem() {
        for name in ["AGENT_PROXYURL", "HTTPS_PROXY", "https_proxy"] {
            let (settings, errors) = read([name: "http://proxyuser:Pr0xyPa55@proxy.corp:3128"])
            #expect(settings.proxy == nil)
            #expect(errors.map(\.input) == [name])
            #expect(!errors.description.contains("Pr0xyPa55"))
            #expect(!errors.description.contains("proxyuser"))
        }
    }

    @Test func unparseableProxyURLsAreNamedNotEchoed() {
        let (_, errors) = read(["https_proxy": "proxyuser:Pr0xyPa55@[::1"])
        #expect(errors.map(\.input) == ["https_proxy"])
        #expect(!errors.description.contains("Pr0xyPa55"))
    }

    @Test func noProxyListsAreSplit() {
        let (settings, errors) = read(["HTTPS_PROXY": "proxy.corp:3128", "NO_PROXY": "corp.example, 10.0.0.0/8,,"])
        #expect(errors.isEmpty)
        #expect(settings.proxy?.url.absoluteString == "http://proxy.corp:3128")
        #expect(settings.proxy?.bypass == .noProxy(["corp.example", "10.0.0.0/8"]))
    }

    @Test func badBypassListsAndMissingFilesAreNamed() {
        let (_, errors) = read([
            "AGENT_PROXYURL": "http://proxy:3128", "AGENT_PROXYBYPASSLIST": #"["(unclosed"]"#,
            "AGENT_CAINFO": "/nonexistent/ca.pem", "AGENT_CLIENTCERTARCHIVE": "/nonexistent/client.pfx",
        ])
        #expect(Set(errors.map(\.input)) == ["AGENT_PROXYBYPASSLIST", "AGENT_CAINFO", "AGENT_CLIENTCERTARCHIVE"])
    }

    @Test func clientCertificatesComeFromTheAgentVariables() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rc-test-\(UUID().uuidString).pem")
            .path
        _ = FileManager.default.createFile(atPath: file, contents: Data("pem".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (settings, errors) = read([
            "AGENT_CLIENTCERT": file, "AGENT_CLIENTCERTKEY": file, "SECRET_AGENT_CLIENTCERTPASSWORD": "keypass-123",
        ])
        #expect(errors.isEmpty)
        let certificate = try #require(settings.clientCertificate)
        #expect(certificate.source == .pem(certificate: file, key: file))
        #expect(certificate.password == Secret("keypass-123"))
    }
}
