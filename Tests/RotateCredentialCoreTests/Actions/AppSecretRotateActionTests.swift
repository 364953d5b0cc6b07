import Foundation
import Synchronization
import Testing

@testable import RotateCredentialCore

/// `app-secret-rotate` run inside the library over a route-table transport: an in-memory Graph
/// application, Key Vault and one service connection; any other request fails the test.
@Suite struct AppSecretRotateActionTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let appId = "33333333-3333-3333-3333-333333333333"

    final class World: Sendable {
        struct Password: Sendable {
            var keyId: String
            var start: Date
            var end: Date
            var value: String
        }
        struct State: Sendable {
            var passwords: [Password]
            var tags: [[String: String]] = []
            var values: [String] = []
            var connectionKey: String
            var refusePut = 0
            var added = 0
        }
        let state: Mutex<State>
        let records = RecordVault(now: AppSecretRotateActionTests.now)
        static let scope = RecordStore.application(appId: AppSecretRotateActionTests.appId)

        init(refusePut: Int) {
            let old = Password(
                keyId: "old", start: AppSecretRotateActionTests.now.addingTimeInterval(-85 * 86_400),
                end: AppSecretRotateActionTests.now.addingTimeInterval(5 * 86_400), value: "old-value")
            let older = Password(
                keyId: "older", start: AppSecretRotateActionTests.now.addingTimeInterval(-165 * 86_400),
                end: AppSecretRotateActionTests.now.addingTimeInterval(200 * 86_400), value: "older-value")
            var state = State(passwords: [older, old], connectionKey: "old-value", refusePut: refusePut)
            state.tags = [["keyId": "old"]]
            state.values = ["old-value"]
            self.state = Mutex(state)
        }

        func application() -> [String: Any] {
            let passwords = state.withLock { $0.passwords }
            return [
                "id": "object-1", "appId": AppSecretRotateActionTests.appId, "displayName": "payments",
                "passwordCredentials": passwords.map {
                    [
                        "keyId": $0.keyId,
                        "displayName": $0.keyId.hasPrefix("new") ? "rotate-credential 2027-01-15" : "by hand",
                        "startDateTime": Timestamp.format($0.start), "endDateTime": Timestamp.format($0.end),
                    ]
                },
            ]
        }

        func bundle(_ index: Int, value: Bool = true) -> [String: Any] {
            state.withLock { state in
                var bundle: [String: Any] = [
                    "id": "https://kv-rotation.vault.azure.net/secrets/app/v\(index)", "tags": state.tags[index],
                    "attributes": [
                        "enabled": true, "created": Int(AppSecretRotateActionTests.now.timeIntervalSince1970),
                    ],
                ]
                if value { bundle["value"] = state.values[index] }
                return bundle
            }
        }

        func endpoint() -> [String: Any] {
            [
                "id": "eeeeeeee-0001-4000-8000-000000000001", "name": "prod", "isReady": true,
                "authorization": [
                    "scheme": "ServicePrincipal",
                    "parameters": [
                        "tenantid": "11111111-1111-1111-1111-111111111111",
                        "serviceprincipalid": AppSecretRotateActionTests.appId, "authenticationType": "spnKey",
                    ],
                ],
                "data": ["creationMode": "Manual"],
            ]
        }

        var routes: [RouteTransport.Route] {
            [
                .init(method: .post, pathSuffix: "/oauth2/v2.0/token") { _ in
                    RouteTransport.json(200, ["access_token": "token", "token_type": "Bearer", "expires_in": 3600])
                },
                .init(method: .get, pathSuffix: "applications(appId='\(AppSecretRotateActionTests.appId)')") { _ in
                    RouteTransport.json(200, self.application())
                },
                .init(method: .get, pathSuffix: "/applications/object-1") { _ in
                    RouteTransport.json(200, self.application())
                },
                .init(method: .post, pathSuffix: "/addPassword") { _ in
                    let added = self.state.withLock { state -> Password in
                        state.added += 1
                        let password = Password(
                            keyId: "new\(state.added)", start: AppSecretRotateActionTests.now,
                            end: AppSecretRotateActionTests.now.addingTimeInterval(180 * 86_400),
                            value: "new-value-\(state.added)")
                        state.passwords.append(password)
                        return password
                    }
                    return RouteTransport.json(
                        200,
                        [
                            "keyId": added.keyId, "displayName": "rotate-credential 2027-01-15",
                            "secretText": added.value,
                            "startDateTime": Timestamp.format(added.start), "endDateTime": Timestamp.format(added.end),
                        ])
                },
                .init(method: .post, pathSuffix: "/removePassword") { request in
                    let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any]
                    self.state.withLock { $0.passwords.removeAll { $0.keyId == body?["keyId"] as? String } }
                    return HTTPResponse(status: 204)
                },
                .init(method: .get, pathSuffix: "/secrets/app") { _ in
                    RouteTransport.json(200, self.bundle(self.state.withLock { $0.values.count - 1 }))
                },
                .init(method: .put, pathSuffix: "/secrets/app") { request in
                    let body =
                        (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any] ?? [:]
                    let index = self.state.withLock { state -> Int in
                        state.values.append(body["value"] as? String ?? "")
                        state.tags.append(body["tags"] as? [String: String] ?? [:])
                        return state.values.count - 1
                    }
                    return RouteTransport.json(200, self.bundle(index))
                },
                .init(method: .get, pathSuffix: "/_apis/projects") { _ in
                    RouteTransport.json(200, ["count": 1, "value": [["name": "Platform"]]])
                },
                .init(method: .get, pathSuffix: "/_apis/serviceendpoint/endpoints") { _ in
                    RouteTransport.json(200, ["count": 1, "value": [self.endpoint()]])
                },
                .init(method: .get, pathSuffix: "/_apis/serviceendpoint/endpoints/eeeeeeee-0001-4000-8000-000000000001")
                { _ in RouteTransport.json(200, self.endpoint()) },
                .init(method: .put, pathSuffix: "/_apis/serviceendpoint/endpoints/eeeeeeee-0001-4000-8000-000000000001")
                { request in
                    let refused = self.state.withLock { state -> Bool in
                        guard state.refusePut == 0 else {
                            state.refusePut -= 1
                            return true
                        }
                        let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any]
                        let parameters = (body?["authorization"] as? [String: Any])?["parameters"] as? [String: Any]
                        state.connectionKey = parameters?["serviceprincipalkey"] as? String ?? ""
                        return false
                    }
                    if refused {
                        return RouteTransport.json(
                            403, ["message": "Access denied.", "typeKey": "AccessCheckException"])
                    }
                    return RouteTransport.json(200, self.endpoint())
                },
            ] + records.routes(World.scope)
        }
    }

    func run(_ world: World) async -> (code: Int32, output: String, writes: [String], calls: [String]) {
        let sink = CapturingSink()
        let transport = RouteTransport(world.routes)
        let environment = [
            "INPUT_ACTION": "app-secret-rotate", "INPUT_ORGANIZATION": "contoso", "INPUT_PROJECT": "Platform",
            "INPUT_APPLICATIONID": Self.appId, "INPUT_KEYVAULTNAME": "kv-rotation", "INPUT_SECRETNAME": "app",
            "INPUT_SERVICECONNECTIONS": "prod", "INPUT_AZUREDEVOPSIDENTITY": "azureSubscription",
            "INPUT_TENANTID": "11111111-1111-1111-1111-111111111111",
            "INPUT_CLIENTID": "22222222-2222-2222-2222-222222222222",
            "INPUT_CLIENTSECRET": "identity-secret", "INPUT_RENEWWITHINDAYS": "7", "INPUT_VALIDITYDAYS": "180",
            "INPUT_GRACEHOURS": "0", "AGENT_TEMPDIRECTORY": "/tmp",
        ]
        let runner = TaskRunner(
            environment: environment, sink: sink, clock: FakeClock(now: Self.now), files: MemoryFileWriter(),
            makeTransport: { _ in transport })
        let code = await runner.run(arguments: [])
        return (code, sink.text, transport.writes, transport.calls)
    }

    @Test func aConnectionRefusedOnceIsBroughtUpToDateByTheNextRun() async {
        let world = World(refusePut: 1)
        let first = await run(world)
        #expect(first.code == 1, "\(first.output)")
        #expect(world.state.withLock { ($0.connectionKey, $0.tags.last?["keyId"]) } == ("old-value", "new1"))
        #expect(
            world.state.withLock { $0.passwords.map(\.keyId) }.contains("old"),
            "nothing old removed while a connection is behind")

        let second = await run(world)
        #expect(second.code == 0, "\(second.output)")
        #expect(world.state.withLock { $0.connectionKey } == "new-value-1")
        #expect(
            world.records.record(World.scope)?.holder("eeeeeeee-0001-4000-8000-000000000001")?.keyId == "new1",
            "the record says, by id, which secret the connection holds")
        #expect(
            !world.state.withLock { $0.passwords.map(\.keyId) }.contains("older"),
            "once every holder was looked for, the old secret nobody holds went")
        #expect(
            second.writes.contains { $0.hasPrefix("POST") && $0.hasSuffix("/addPassword") } == false, "no second secret"
        )

        let third = await run(world)
        #expect(third.code == 0)
        #expect(third.writes.isEmpty, "a converged run changes nothing: \(third.writes)")
    }

    @Test func keyVaultIsNotReadAgainAfterTheRunsOwnStoreAndReadBack() async {
        let world = World(refusePut: 0)
        let result = await run(world)
        #expect(result.code == 0, "\(result.output)")
        let secret = result.calls.filter { $0.hasSuffix("/secrets/app") }
        let stored = secret.firstIndex { $0.hasPrefix("PUT") } ?? secret.endIndex
        #expect(
            secret[stored...] == ["PUT /secrets/app", "GET /secrets/app"],
            "after the store, only its read-back: the loop lays the run's own store over what it observed \(secret)")
    }
}
