import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct ProxyRouteTests {
    func url(_ text: String) -> URL { URL(string: text)! }

    @Test func onlyConfiguredEntriesGoDirect() {
        let route = ProxyRoute(.none)
        #expect(!route.bypasses(url("https://127.0.0.1:8443/x")))
        #expect(!route.bypasses(url("https://login.microsoftonline.com/x")))
        let loopback = ProxyRoute(.noProxy(["127.0.0.0/8", "::1", "localhost"]))
        #expect(loopback.bypasses(url("https://127.9.8.7/x")))
        #expect(loopback.bypasses(url("https://[::1]:8443/x")))
        #expect(loopback.bypasses(url("https://localhost/x")))
        #expect(!loopback.bypasses(url("https://127.0.0.1.attacker.example/x")))
    }

    @Test func agentBypassEntriesAreCaseInsensitiveRegularExpressionsOnTheURL() {
        let route = ProxyRoute(.agentPatterns(["\\.vault\\.azure\\.net", "^https://dev\\.azure\\.com/contoso/"]))
        #expect(route.bypasses(url("https://KV-ROTATION.vault.azure.net/secrets/a")))
        #expect(route.bypasses(url("https://dev.azure.com/contoso/_apis/x")))
        #expect(!route.bypasses(url("https://dev.azure.com/fabrikam/_apis/x")))
        #expect(!route.bypasses(url("https://graph.microsoft.com/v1.0")))
    }

    @Test func noProxyMatchesSuffixesAddressesRangesAndPorts() {
        let route = ProxyRoute(
            .noProxy([
                "corp.example", ".internal", "*.lab.example", "10.0.0.0/8", "192.168.1.7", "fd00::/8",
                "svc.example:8443",
            ]))
        #expect(route.bypasses(url("https://corp.example/x")))
        #expect(route.bypasses(url("https://kv.corp.example/x")))
        #expect(!route.bypasses(url("https://notcorp.example/x")))
        #expect(route.bypasses(url("https://a.internal/x")))
        #expect(route.bypasses(url("https://a.lab.example/x")))
        #expect(route.bypasses(url("https://10.20.30.40/x")))
        #expect(!route.bypasses(url("https://11.0.0.1/x")))
        #expect(route.bypasses(url("https://192.168.1.7/x")))
        #expect(route.bypasses(url("https://[fd12::1]/x")))
        #expect(route.bypasses(url("https://svc.example:8443/x")))
        #expect(!route.bypasses(url("https://svc.example/x")))
        #expect(ProxyRoute(.noProxy(["*"])).bypasses(url("https://anything.example/")))
    }

    @Test func addressesParseStrictly() {
        #expect(IPAddress.parse("127.0.0.1") == [127, 0, 0, 1])
        #expect(IPAddress.parse("127.1") == nil)
        #expect(IPAddress.parse("256.0.0.1") == nil)
        #expect(IPAddress.parse("::1") == [UInt8](repeating: 0, count: 15) + [1])
        #expect(IPAddress.parse("::ffff:10.1.2.3") == [UInt8](repeating: 0, count: 10) + [255, 255, 10, 1, 2, 3])
        #expect(IPAddress.parse("1::2::3") == nil)
        #expect(IPAddress.parse("example.com") == nil)
        #expect(IPAddress.cidr("172.16.0.0/12", contains: "172.31.255.255"))
        #expect(!IPAddress.cidr("172.16.0.0/12", contains: "172.32.0.0"))
    }
}
