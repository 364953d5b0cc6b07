import Foundation
import Synchronization

@testable import RotateCredentialCore

/// The task's record secrets in an in-memory Key Vault (GET latest and PUT of
/// `rotate-credential-…` secrets), for action tests over ``RouteTransport``.
final class RecordVault: Sendable {
    private let secrets = Mutex<[String: [String]]>([:])
    let now: Date

    init(now: Date) {
        self.now = now
    }

    /// Stores `record` as the latest version of its secret.
    func seed(_ record: CredentialRecord) {
        let name = "rotate-credential-" + record.scope.replacingOccurrences(of: ":", with: "-")
        let text = String(decoding: (try? JSON.encoder().encode(record)) ?? Data(), as: UTF8.self)
        secrets.withLock { $0[name, default: []].append(text) }
    }

    /// The latest record of `scope`.
    func record(_ scope: String) -> CredentialRecord? {
        let name = "rotate-credential-" + scope.replacingOccurrences(of: ":", with: "-")
        guard let text = secrets.withLock({ $0[name]?.last }) else { return nil }
        return try? JSON.decoder().decode(CredentialRecord.self, from: Data(text.utf8))
    }

    /// Versions written to `scope`'s record.
    func writes(_ scope: String) -> Int {
        secrets.withLock { $0["rotate-credential-" + scope.replacingOccurrences(of: ":", with: "-")]?.count ?? 0 }
    }

    /// GET and PUT routes for the record secret of `scope`.
    func routes(_ scope: String) -> [RouteTransport.Route] {
        let name = "rotate-credential-" + scope.replacingOccurrences(of: ":", with: "-")
        return [
            .init(method: .get, pathSuffix: "/secrets/\(name)") { _ in
                guard let text = self.secrets.withLock({ $0[name]?.last }) else {
                    return RouteTransport.json(404, ["error": ["code": "SecretNotFound", "message": "not found"]])
                }
                return RouteTransport.json(200, self.bundle(name, text))
            },
            .init(method: .put, pathSuffix: "/secrets/\(name)") { request in
                let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: Any] ?? [:]
                let text = body["value"] as? String ?? ""
                self.secrets.withLock { $0[name, default: []].append(text) }
                return RouteTransport.json(200, self.bundle(name, text))
            },
        ]
    }

    private func bundle(_ name: String, _ text: String) -> [String: Any] {
        [
            "id": "https://kv-rotation.vault.azure.net/secrets/\(name)/v", "value": text,
            "contentType": RecordStore.contentType,
            "attributes": ["enabled": true, "created": Int(now.timeIntervalSince1970)],
        ]
    }
}
