import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct TransportFailureTests {
    let proxy = ProxySettings(
        url: URL(string: "http://proxy.corp:3128")!, variable: "https_proxy", username: "svc",
        password: Secret("Pr0xyPa55word"))

    func context(proxy: ProxySettings? = nil, caInfo: String? = nil) -> TransportFailure.Context {
        TransportFailure.Context(target: "login.example:443", proxy: proxy, agentCAInfo: caInfo, timeoutSeconds: 30)
    }

    @Test func anUntrustedCertificateNamesTheHostAndAGENT_CAINFO() {
        let error = TransportFailure.error(
            .untrustedCertificate, message: "SSL certificate problem: unable to get local issuer certificate",
            context: context())
        #expect(error.reason == .insecure)
        #expect(error.detail.contains("login.example:443"))
        #expect(error.detail.contains("certificate problem"))
        #expect(error.advice?.contains("AGENT_CAINFO") == true)
        let withFile = TransportFailure.error(
            .untrustedCertificate, message: "", context: context(caInfo: "/agent/ca.pem"))
        #expect(withFile.advice?.contains("/agent/ca.pem") == true)
    }

    @Test func aRejectedProxyPasswordNamesTheProxyNotThePassword() {
        let error = TransportFailure.error(.proxyRefused(407), message: "", context: context(proxy: proxy))
        #expect(error.reason == .other)
        #expect(error.detail.contains("proxy.corp:3128 (from https_proxy)"))
        #expect(error.detail.contains("407"))
        #expect(error.advice?.contains("SECRET_AGENT_PROXYPASSWORD") == true)
        #expect(!"\(error.detail) \(error.advice ?? "")".contains("Pr0xyPa55word"))
    }

    @Test func timeoutsTellWhetherTheRequestWentOut() {
        #expect(TransportFailure.error(.timeout(sent: true), message: "", context: context()).reason == .timedOut)
        #expect(TransportFailure.error(.timeout(sent: false), message: "", context: context()).reason == .cannotConnect)
        #expect(
            TransportFailure.error(.connect, message: "", context: context(proxy: proxy)).detail.contains(
                "proxy proxy.corp:3128"))
    }

    @Test func theAgentCAIsAddedToTheSystemBundle() {
        let files: [String: [UInt8]] = [
            "/etc/ssl/certs/ca-certificates.crt": Array("SYSTEM".utf8), "/agent.pem": Array("AGENT\n".utf8),
        ]
        func resolve(_ agent: String?, hashed: Set<String>) -> TrustedCertificates {
            TrustedCertificates.resolve(
                agentFile: agent, libraryDefault: "/missing.pem", read: { files[$0] },
                isHashedDirectory: hashed.contains)
        }
        #expect(
            resolve("/agent.pem", hashed: ["/etc/pki/ca-trust/extracted/pem/directory-hash"])
                == .agentFile("/agent.pem", systemDirectory: "/etc/pki/ca-trust/extracted/pem/directory-hash"))
        #expect(resolve("/agent.pem", hashed: []) == .bundle(Array("SYSTEM\nAGENT\n".utf8), agentFile: "/agent.pem"))
        #expect(resolve(nil, hashed: []) == .system)
        #expect(resolve("/gone.pem", hashed: []) == .unreadable(agentFile: "/gone.pem"))
        #expect(
            TrustedCertificates.isHashedDirectory("/etc/ssl/certs")
                == FileManager.default.fileExists(atPath: "/etc/ssl/certs/ca-certificates.crt"))
    }
}
