import Foundation
import Synchronization
import Testing

@testable import RotateCredentialCore

/// `pat-rotate` and `pat-create` run end to end inside the library over a route-table transport:
/// a small in-memory PAT API and Key Vault, and every other request fails the test.
@Suite struct PatRotateActionTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// The services' state the routes read and change.
    final class World: Sendable {
        struct Token: Sendable {
            var id: String
            var from: Date
            var to: Date
            var value: String
            var revoked = false
            var name = "ci"
        }
        struct Version: Sendable {
            var id: String
            var value: String
            var tags: [String: String]
        }
        let state = Mutex<(tokens: [Token], versions: [Version], created: Int)>(([], [], 0))
        let records = RecordVault(now: PatRotateActionTests.now)

        init(tokens: [Token], stored: String?) {
            let versions = stored.map { [Version(id: "v0", value: "value-\($0)", tags: ["authorizationId": $0])] } ?? []
            state.withLock { $0 = (tokens, versions, 0) }
        }

        var live: [String] { state.withLock { $0.tokens.filter { !$0.revoked }.map(\.id) } }
        var held: String? { state.withLock { $0.versions.last?.tags["authorizationId"] } }

        func wire(_ token: Token, value: Bool = false) -> [String: Any] {
            [
                "authorizationId": token.id, "displayName": token.name, "scope": "vso.code", "targetAccounts": ["org"],
                "validFrom": Timestamp.format(token.from), "validTo": Timestamp.format(token.to),
                "token": value ? token.value : NSNull(),
            ]
        }

        func bundle(_ version: Version) -> [String: Any] {
            [
                "id": "https://kv-rotation.vault.azure.net/secrets/pat-ci/\(version.id)", "value": version.value,
                "tags": version.tags,
                "attributes": ["enabled": true, "created": Int(PatRotateActionTests.now.timeIntervalSince1970) - 3600],
            ]
        }

        /// The routes of the PAT API and Key Vault; `onCreate` runs after a token is created.
        func routes(onCreate: @escaping @Sendable () -> Void = {}) -> [RouteTransport.Route] {
            [
                .init(method: .post, pathSuffix: "/oauth2/v2.0/token") { _ in
                    RouteTransport.json(
                        200, ["access_token": "vault-token", "token_type": "Bearer", "expires_in": 3600])
                },
                .init(method: .get, pathSuffix: "/_apis/tokens/pats") { _ in
                    let tokens = self.state.withLock { $0.tokens.filter { !$0.revoked } }
                    return RouteTransport.json(
                        200, ["continuationToken": "", "patTokens": tokens.map { self.wire($0) }])
                },
                .init(method: .post, pathSuffix: "/_apis/tokens/pats") { _ in
                    let token = self.state.withLock { state -> Token in
                        state.created += 1
                        let token = Token(
                            id: "new\(state.created)", from: PatRotateActionTests.now,
                            to: PatRotateActionTests.now.addingTimeInterval(30 * 86_400),
                            value: "value-new\(state.created)")
                        state.tokens.append(token)
                        return token
                    }
                    onCreate()
                    return RouteTransport.json(
                        200, ["patToken": self.wire(token, value: true), "patTokenError": "none"])
                },
                .init(method: .delete, pathSuffix: "/_apis/tokens/pats") { request in
                    let id = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first {
                        $0.name == "authorizationId"
                    }?.value
                    self.state.withLock { state in
                        for index in state.tokens.indices where state.tokens[index].id == id {
                            state.tokens[index].revoked = true
                        }
                    }
                    return HTTPResponse(status: 204)
                },
                // Key Vault refuses to read the secret of the family 'cd'.
                .init(method: .get, pathSuffix: "/secrets/pat-cd") { _ in
                    RouteTransport.json(403, ["error": ["code": "Forbidden", "message": "Access denied"]])
                },
                // A dry run's access check reads the versions of each secret the run would write.
                .init(method: .get, pathSuffix: "/versions") { _ in RouteTransport.json(200, ["value": []]) },
                .init(method: .get, pathSuffix: "/secrets/pat-ci") { _ in
                    guard let latest = self.state.withLock({ $0.versions.last }) else {
                        return RouteTransport.json(404, ["error": ["code": "SecretNotFound", "message": "not found"]])
                    }
                    return RouteTransport.json(200, self.bundle(latest))
                },
                .init(method: .put, pathSuffix: "/secrets/pat-ci") { request in
                    let body =
                        (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any] ?? [:]
                    let version = self.state.withLock { state -> Version in
                        let version = Version(
                            id: "v\(state.versions.count)", value: body["value"] as? String ?? "",
                            tags: body["tags"] as? [String: String] ?? [:])
                        state.versions.append(version)
                        return version
                    }
                    return RouteTransport.json(200, self.bundle(version))
                },
            ] + records.routes(RecordStore.personalAccessTokens(organization: "contoso"))
        }
    }

    static func token(_ id: String, ageDays: Double, daysLeft: Double) -> World.Token {
        World.Token(
            id: id, from: now.addingTimeInterval(-ageDays * 86_400), to: now.addingTimeInterval(daysLeft * 86_400),
            value: "value-\(id)")
    }

    func run(
        _ action: String, _ transport: RouteTransport, signals: any SignalSource = NoSignals(),
        extra: [String: String] = [:]
    )
        async -> (code: Int32, output: String)
    {
        let sink = CapturingSink()
        let environment = [
            "INPUT_ACTION": action, "INPUT_ORGANIZATION": "contoso", "INPUT_PATOWNERACCESSTOKEN": "owner-token",
            "INPUT_TOKENDISPLAYNAMES": "ci", "INPUT_KEYVAULTNAME": "kv-rotation", "INPUT_RENEWWITHINDAYS": "7",
            "AGENT_TEMPDIRECTORY": "/tmp", "INPUT_TENANTID": "11111111-1111-1111-1111-111111111111",
            "INPUT_CLIENTID": "22222222-2222-2222-2222-222222222222", "INPUT_CLIENTSECRET": "vault-secret",
        ].merging(extra) { $1 }
        let runner = TaskRunner(
            environment: environment, sink: sink, clock: FakeClock(now: Self.now), files: MemoryFileWriter(),
            signals: signals,
            makeTransport: { _ in transport })
        let code = await runner.run(arguments: [])
        return (code, sink.text)
    }

    @Test func rotatesCreateStoreThenRevoke() async {
        let world = World(tokens: [Self.token("old", ageDays: 27, daysLeft: 3)], stored: "old")
        let transport = RouteTransport(world.routes())
        let result = await run("pat-rotate", transport)
        #expect(result.code == 0, "\(result.output)")
        let record = "PUT /secrets/rotate-credential-pats-contoso"
        #expect(
            transport.writes == [
                record, "POST /contoso/_apis/tokens/pats", "PUT /secrets/pat-ci", "DELETE /contoso/_apis/tokens/pats",
                record,
            ], "the lease and intent before the create, the record settled at the end")
        #expect(world.live == ["new1"])
        #expect(world.held == "new1")
        let settled = world.records.record(RecordStore.personalAccessTokens(organization: "contoso"))
        #expect(settled?.intents == [], "a run that stored what it created leaves no intent open")
        #expect(settled?.lease?.isLive(at: Self.now.addingTimeInterval(60)) == false, "and releases its lease")
    }

    @Test func anOrphanOfAnInterruptedRunIsRevokedBeforeAFreshCreate() async {
        let world = World(
            tokens: [Self.token("old", ageDays: 27, daysLeft: 3), Self.token("lost", ageDays: 0.01, daysLeft: 30)],
            stored: "old")
        // The run that created 'lost' recorded its intent, then was killed before storing it.
        var record = CredentialRecord(scope: RecordStore.personalAccessTokens(organization: "contoso"))
        let opened = Self.now.addingTimeInterval(-0.02 * 86_400)
        record.intents = [
            Intent(id: "i", run: "killed", opened: opened, closes: opened.addingTimeInterval(1_800), names: ["ci"])
        ]
        world.records.seed(record)
        let transport = RouteTransport(world.routes())
        let result = await run("pat-create", transport)
        #expect(result.code == 0, "\(result.output)")
        #expect(
            transport.writes.dropFirst().first?.hasPrefix("DELETE") == true,
            "after the lease, the orphan goes first: \(transport.writes)")
        #expect(Set(world.live) == ["old", "new1"])
        #expect(world.held == "new1")
    }

    @Test func dryRunWritesNothingAndReportsNoChange() async {
        let world = World(tokens: [Self.token("old", ageDays: 27, daysLeft: 3)], stored: "old")
        let transport = RouteTransport(world.routes())
        let result = await run("pat-rotate", transport, extra: ["INPUT_DRYRUN": "true"])
        #expect(result.code == 0)
        #expect(transport.writes.isEmpty)
        #expect(result.output.contains("##vso[task.setvariable variable=changed;isoutput=true;issecret=false;]false"))
        #expect(result.output.contains("Access check (dry run)"))
        #expect(result.output.contains("Key Vault secret 'pat-ci'"))
    }

    @Test func aCancelAfterTheCreateUndoesTheUnstoredToken() async {
        let world = World(tokens: [Self.token("old", ageDays: 27, daysLeft: 3)], stored: "old")
        let signals = ManualSignals()
        let transport = RouteTransport(world.routes(onCreate: { signals.fire("SIGTERM") }))
        let result = await run("pat-rotate", transport, signals: signals)
        #expect(result.code == 1)
        #expect(result.output.contains("Cancelled (SIGTERM)"))
        #expect(world.live == ["old"], "the new token was revoked, the old one untouched")
        #expect(world.held == "old")
    }

    @Test func aRunWithNothingToDoTakesNoLeaseAndWritesNothing() async {
        let world = World(tokens: [Self.token("old", ageDays: 10, daysLeft: 20)], stored: "old")
        let transport = RouteTransport(world.routes())
        let result = await run("pat-rotate", transport)
        #expect(result.code == 0, "\(result.output)")
        #expect(transport.writes.isEmpty)
    }

    @Test func aLeaseBegunForOneFamilyIsGivenBackWhenAnotherFamilysReadFails() async {
        var unreadable = Self.token("cd-old", ageDays: 27, daysLeft: 3)
        unreadable.name = "cd"
        let world = World(tokens: [Self.token("old", ageDays: 27, daysLeft: 3), unreadable], stored: "old")
        let transport = RouteTransport(world.routes())
        let result = await run(
            "pat-rotate", transport, extra: ["INPUT_TOKENDISPLAYNAMES": "ci\ncd", "INPUT_MAXPARALLEL": "1"])
        #expect(result.code == 1, "\(result.output)")
        let record = "PUT /secrets/rotate-credential-pats-contoso"
        #expect(transport.writes == [record, record], "'ci' began the lease; nothing created, the lease given back")
        let final = world.records.record(RecordStore.personalAccessTokens(organization: "contoso"))
        #expect(final?.lease?.released == true)
        #expect(final?.intents == [])
        #expect(Set(world.live) == ["old", "cd-old"])
    }
}
