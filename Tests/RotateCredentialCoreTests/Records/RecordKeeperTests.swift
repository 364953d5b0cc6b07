import Foundation
import Testing

@testable import RotateCredentialCore

/// The lease's requests: what a run reads and writes to take it, give it back and record what it
/// learned, over an in-memory record secret (``RecordVault``).
@Suite struct RecordKeeperTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let scope = RecordStore.personalAccessTokens(organization: "contoso")

    /// A keeper loaded from `vault` over a transport that logs every request, and that log.
    func load(_ vault: RecordVault, clock: FakeClock) async throws -> (RecordKeeper, RouteTransport) {
        let transport = RouteTransport(
            [
                .init(method: .post, pathSuffix: "/oauth2/v2.0/token") { _ in
                    RouteTransport.json(200, ["access_token": "token", "token_type": "Bearer", "expires_in": 3600])
                }
            ] + vault.routes(Self.scope))
        let configuration = try ConfigurationLoader.load(environment: [
            "INPUT_ACTION": "pat-rotate", "INPUT_ORGANIZATION": "contoso", "INPUT_PATOWNERACCESSTOKEN": "owner-token",
            "INPUT_TOKENDISPLAYNAMES": "ci", "INPUT_KEYVAULTNAME": "kv-rotation",
            "INPUT_TENANTID": "11111111-1111-1111-1111-111111111111",
            "INPUT_CLIENTID": "22222222-2222-2222-2222-222222222222", "INPUT_CLIENTSECRET": "vault-secret",
        ])
        let output = PipelineOutput(sink: CapturingSink(), debugEnabled: false)
        let http = HTTPClient(transport: transport, output: output, clock: clock)
        let services = ServiceContext(
            http: http, urls: .contoso, tokens: TokenCache(client: EntraTokenClient(http: http, urls: .contoso)))
        let context = ActionContext(
            configuration: configuration, output: output, clock: clock, services: services,
            files: MemoryFileWriter(), cancellation: Cancellation())
        let store = RecordStore(keyVault: try #require(context.keyVault()), scope: Self.scope)
        let keeper = try await RecordKeeper.load(store, run: RunIdentity(), context: context, leaseSeconds: 1_800)
        return (keeper, transport)
    }

    /// The record's requests, as "GET" and "PUT", in order.
    func recordCalls(_ transport: RouteTransport) -> [String] {
        transport.calls.filter { $0.contains("/secrets/rotate-credential-") }.map { String($0.prefix(3)) }
    }

    @Test func aRecentFirstReadIsTheLeasesRead() async throws {
        let vault = RecordVault(now: Self.now)
        let (keeper, transport) = try await load(vault, clock: FakeClock(now: Self.now))
        #expect(try await keeper.takeLease(intending: ["ci"]) == false)
        #expect(recordCalls(transport) == ["GET", "PUT", "GET"], "the load's read, the lease's write, the check")
        #expect(vault.record(Self.scope)?.lease?.isLive(at: Self.now) == true)
        #expect(vault.record(Self.scope)?.intents.map(\.names) == [["ci"]], "the intent goes with the lease")
    }

    @Test func anOlderFirstReadIsReadAgainBeforeTheLeasesWrite() async throws {
        let vault = RecordVault(now: Self.now)
        let clock = FakeClock(now: Self.now)
        let (keeper, transport) = try await load(vault, clock: clock)
        try await clock.sleep(seconds: RecordKeeper.reusableReadSeconds)
        _ = try await keeper.takeLease(intending: ["ci"])
        #expect(recordCalls(transport) == ["GET", "GET", "PUT", "GET"])
    }

    @Test func anotherRunsLiveLeaseInTheFirstReadStopsTheRunWithoutAWrite() async throws {
        let vault = RecordVault(now: Self.now)
        var record = CredentialRecord(scope: Self.scope)
        record.lease = Lease(
            id: "other", holder: "run 41", job: "other-job", acquired: Self.now.addingTimeInterval(-60),
            expires: Self.now.addingTimeInterval(1_740))
        vault.seed(record)
        let (keeper, transport) = try await load(vault, clock: FakeClock(now: Self.now))
        await #expect(throws: RotationFailure.self) { try await keeper.takeLease(intending: ["ci"]) }
        #expect(transport.writes.isEmpty)
    }

    @Test func aLeaseBegunThenNotNeededIsGivenBackWithItsIntentDropped() async throws {
        let vault = RecordVault(now: Self.now)
        let (keeper, _) = try await load(vault, clock: FakeClock(now: Self.now))
        await keeper.beginTakingLease(intending: ["ci"])
        await keeper.release(left: []) { _ in false }
        #expect(vault.writes(Self.scope) == 2, "the lease, then its release")
        let final = try #require(vault.record(Self.scope))
        #expect(final.lease?.released == true)
        #expect(final.intents.isEmpty)
    }

    @Test func aRunThatTookNoLeaseWritesNothing() async throws {
        let vault = RecordVault(now: Self.now)
        let (keeper, _) = try await load(vault, clock: FakeClock(now: Self.now))
        await keeper.recordUnmanaged(["by-hand"])
        await keeper.release(left: []) { _ in true }
        #expect(vault.writes(Self.scope) == 0)
    }

    @Test func whatTheRunLearnedWhileTheLeaseWasTakenIsWrittenBeforeTheFirstChange() async throws {
        let vault = RecordVault(now: Self.now)
        let (keeper, _) = try await load(vault, clock: FakeClock(now: Self.now))
        let begun = await keeper.beginTakingLease(intending: ["ci"])
        _ = try await begun.value
        await keeper.recordUnmanaged(["by-hand"])
        _ = try await keeper.takeLease(intending: ["ci"])
        #expect(vault.writes(Self.scope) == 2, "the lease, then what was learned after it")
        #expect(vault.record(Self.scope)?.unmanaged == ["by-hand"])
        _ = try await keeper.takeLease(intending: ["ci"])
        #expect(vault.writes(Self.scope) == 2, "the lease is taken once")
    }
}
