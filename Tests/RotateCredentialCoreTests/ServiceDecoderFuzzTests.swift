import Foundation
import Testing

@testable import RotateCredentialCore

/// The PAT, Graph and service-endpoint decoders, fed truncated and mutated real responses
/// (from the services' published examples), checked by ``Mutations/check(_:sourceLocation:_:)``.
@Suite(.timeLimit(.minutes(2))) struct ServiceDecoderFuzzTests {
    static let patList = #"""
        {"continuationToken":"","patTokens":[{"displayName":"all_access_token","validTo":"2020-11-23T04:04:38.5233333Z","scope":"app_token","targetAccounts":null,"validFrom":"2020-10-24T03:04:57.52Z","authorizationId":"4c60c9ed-a378-4883-af16-d655ca025b11","token":null},{"displayName":"work_token","validTo":"2020-11-23T04:03:55.8033333Z","scope":"vso.work_full","targetAccounts":["38aaa865-2c70-4bf7-a308-0c6539c38c1a"],"validFrom":"2020-10-24T03:04:19.1466667Z","authorizationId":"eabb38b2-48ef-440b-959b-b9e6cb37a64e","token":null}]}
        """#
    static let patCreate = #"""
        {"patToken":{"displayName":"new_token","validTo":"2020-12-01T23:46:23.32Z","scope":"app_token","targetAccounts":["38aaa865-2c70-4bf7-a308-0c6539c38c1a"],"validFrom":"2020-11-02T22:56:52.1033333Z","authorizationId":"4a5d0a80-4aa0-4b8c-8a4e-7a2e1a0b9c11","token":"fakeTokenValue0123456789abcdefghijklmnopqrstuvwxyz"},"patTokenError":"none"}
        """#
    static let endpoints = #"""
        {"count":1,"value":[{"data":{"subscriptionId":"1","creationMode":"Manual"},"id":"5e47a0d8-c745-44f8-8f93-784f18ff31c4","name":"MyNewServiceEndpoint","type":"azurerm","url":"https://management.azure.com/","description":"","authorization":{"parameters":{"tenantid":"t","serviceprincipalid":"s","authenticationType":"spnKey","serviceprincipalkey":null},"scheme":"ServicePrincipal"},"isShared":false,"isReady":true,"owner":"Library","operationStatus":{"state":"Ready","statusMessage":""},"serviceEndpointProjectReferences":[{"projectReference":{"id":"c7e5f0b3-71fa-4429-9fb3-3321963a7c06","name":"TestProject"},"name":"MyNewServiceEndpoint"}]}]}
        """#
    static let application = #"""
        {"id":"bbbbbbbb-0003-4000-8000-000000000003","appId":"aaaaaaaa-0003-4000-8000-000000000003","displayName":"payments","passwordCredentials":[{"customKeyIdentifier":null,"displayName":"old","endDateTime":"2027-06-10T22:13:19.9841060Z","hint":"Pay","keyId":"dddddddd-0002-4000-8000-000000000002","secretText":null,"startDateTime":"2026-06-10T22:13:19.9841060Z"}]}
        """#
    static let addPassword = #"""
        {"customKeyIdentifier":null,"displayName":"Password friendly name","endDateTime":"2021-09-09T19:50:29.3086381Z","hint":"[6g","keyId":"f0b0b335-1d71-4883-8f98-567911bfdca6","secretText":"[6gyXA5S20@MN+WRXAJ]I-TO7g1:h2P8","startDateTime":"2019-09-09T19:50:29.3086381Z"}
        """#

    static let identity = DecoderFuzzTests.identity

    /// A created token's fields, for comparing decodes.
    struct CreatedFields: Equatable {
        var token: PersonalAccessToken
        var value: Secret
    }

    /// A new client secret's fields, for comparing decodes.
    struct NewPasswordFields: Equatable {
        var credential: PasswordCredential
        var secret: Secret
    }

    static func patClient(_ body: String) -> PersonalAccessTokenClient {
        PersonalAccessTokenClient(context: DecoderFuzzTests.context(body), credential: Self.identity)
    }

    static func endpointClient(_ body: String) -> ServiceEndpointClient {
        ServiceEndpointClient(
            context: DecoderFuzzTests.context(body), credential: .systemAccessToken(Secret("job")), project: "p")
    }

    static func graphClient(_ body: String) -> GraphApplicationClient {
        GraphApplicationClient(context: DecoderFuzzTests.context(body), credential: Self.identity)
    }

    @Test func personalAccessTokenList() async throws {
        try await Mutations.check(Self.patList) { body in try await Self.patClient(body).list() }
        #expect(try await Self.patClient(Self.patList).list().count == 2)
    }

    @Test func personalAccessTokenCreate() async throws {
        try await Mutations.check(Self.patCreate) { body in
            let created = try await Self.patClient(body).create(
                displayName: "new_token", scope: "app_token", validTo: Date(timeIntervalSince1970: 1_800_000_000))
            return CreatedFields(token: created.token, value: created.value)
        }
    }

    @Test func serviceEndpoints() async throws {
        try await Mutations.check(Self.endpoints) { body in
            try await Self.endpointClient(body).endpoints(named: ["MyNewServiceEndpoint"])
        }
        let endpoint = String(Self.endpoints.dropFirst(#"{"count":1,"value":["#.count).dropLast(2))  // GET by id
        try await Mutations.check(endpoint) { body in
            try await Self.endpointClient(body).endpoint(id: "5e47a0d8-c745-44f8-8f93-784f18ff31c4")
        }
    }

    @Test func graphApplication() async throws {
        try await Mutations.check(Self.application) { body in
            try await Self.graphClient(body).application("aaaaaaaa-0003-4000-8000-000000000003")
        }
    }

    @Test func graphAddPassword() async throws {
        try await Mutations.check(Self.addPassword) { body in
            let added = try await Self.graphClient(body).addPassword(
                objectId: "b", displayName: "d", endDateTime: Date(timeIntervalSince1970: 1_800_000_000))
            return NewPasswordFields(credential: added.credential, secret: added.secret)
        }
    }
}
