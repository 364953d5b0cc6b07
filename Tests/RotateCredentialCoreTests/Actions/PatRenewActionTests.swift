import Foundation
import Synchronization
import Testing

@testable import RotateCredentialCore

/// `pat-renew` and `pat-list` decide with the services' clock (their `Date` header), as the README promises,
/// not with the agent's: here the agent's clock is two days behind the services'.
@Suite struct PatRenewActionTests {
    /// The agent's time.
    static let agentNow = Date(timeIntervalSince1970: 1_800_000_000)
    /// The services' time, two days later: `Sun, 17 Jan 2027 08:00:00 GMT`.
    static let serviceNow = agentNow.addingTimeInterval(2 * 86_400)
    static let dateHeader = "Sun, 17 Jan 2027 08:00:00 GMT"

    static func wire(_ id: String, daysLeft: Double) -> [String: Any] {
        [
            "authorizationId": id, "displayName": id, "scope": "vso.code", "targetAccounts": ["org"],
            "validFrom": Timestamp.format(serviceNow.addingTimeInterval(-20 * 86_400)),
            "validTo": Timestamp.format(serviceNow.addingTimeInterval(daysLeft * 86_400)), "token": NSNull(),
        ]
    }

    static func answer(_ value: Any) -> HTTPResponse {
        var response = RouteTransport.json(200, value)
        response.headers["date"] = dateHeader
        return response
    }

    @Test func aClockTwoDaysOffStillDecidesAsTheServicesDo() async throws {
        let renewals = Mutex<[(id: String?, validTo: String?)]>([])
        let transport = RouteTransport([
            .init(method: .get, pathSuffix: "/_apis/tokens/pats") { _ in
                // Six days left by the services' clock (due within 7), eight by the agent's.
                Self.answer([
                    "continuationToken": "",
                    "patTokens": [Self.wire("due", daysLeft: 6), Self.wire("later", daysLeft: 9.5)],
                ])
            },
            .init(method: .put, pathSuffix: "/_apis/tokens/pats") { request in
                let body =
                    (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any] ?? [:]
                renewals.withLock { $0.append((body["authorizationId"] as? String, body["validTo"] as? String)) }
                var token = Self.wire("due", daysLeft: 30)
                token["validTo"] = body["validTo"]
                return Self.answer(["patToken": token, "patTokenError": "none"])
            },
        ])
        let sink = CapturingSink()
        let runner = TaskRunner(
            environment: [
                "INPUT_ACTION": "pat-renew", "INPUT_ORGANIZATION": "contoso",
                "INPUT_PATOWNERACCESSTOKEN": "owner-token", "INPUT_TOKENDISPLAYNAMES": "*",
                "INPUT_RENEWWITHINDAYS": "7", "INPUT_VALIDITYDAYS": "30", "AGENT_TEMPDIRECTORY": "/tmp",
            ],
            sink: sink, clock: FakeClock(now: Self.agentNow), files: MemoryFileWriter(),
            makeTransport: { _ in transport })
        let code = await runner.run(arguments: [])
        #expect(code == 0, "\(sink.text)")
        let bodies = renewals.withLock { $0 }
        #expect(bodies.map(\.id) == ["due"])
        // The new end date is the services' now + validityDays, so no clamp is reported.
        let asked = try #require(bodies.first?.validTo.flatMap { Timestamp.parse($0) })
        #expect(abs(asked.timeIntervalSince(Self.serviceNow.addingTimeInterval(30 * 86_400))) < 2)
        #expect(sink.text.contains("PAT 'later' (later) expires in 9 days, not within renewWithinDays (7)"))
        #expect(sink.text.contains("PAT 'due' (due) now expires 2027-02-16T08:00:00.500Z (30 days from now)."))
        #expect(!sink.text.contains("shortened it"))
    }

    @Test func patListCallsATokenExpiringByTheServicesClock() async throws {
        let transport = RouteTransport([
            .init(method: .get, pathSuffix: "/_apis/tokens/pats") { _ in
                Self.answer(["continuationToken": "", "patTokens": [Self.wire("due", daysLeft: 6.5)]])
            }
        ])
        let sink = CapturingSink()
        let runner = TaskRunner(
            environment: [
                "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso",
                "INPUT_PATOWNERACCESSTOKEN": "owner-token", "INPUT_RENEWWITHINDAYS": "7",
                "AGENT_TEMPDIRECTORY": "/tmp",
            ],
            sink: sink, clock: FakeClock(now: Self.agentNow), files: MemoryFileWriter(),
            makeTransport: { _ in transport })
        #expect(await runner.run(arguments: []) == 0, "\(sink.text)")
        // Six and a half days left by the services' clock (eight and a half by the agent's): expiring within 7.
        #expect(sink.text.contains("PAT 'due' (due) expires on 2027-01-23 (6 days left)."), "\(sink.text)")
    }
}
