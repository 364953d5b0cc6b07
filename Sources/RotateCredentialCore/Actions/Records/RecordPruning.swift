/// Keeps a record small and current: intents are settled when their run ends and dropped once
/// nothing they created can still be live and unheld; a record that would not fit in a Key
/// Vault secret loses its oldest intents first.
enum RecordPruning {
    /// Days after which an intent is dropped whatever it covered (longer than any PAT lives).
    static let retainedDays = 400.0

    /// `intents` with the one of id `mine` settled (kept only while `left` is not empty), and
    /// the others dropped where `resolved` says nothing they created is live and unheld, or when
    /// they closed more than ``retainedDays`` before `now`.
    static func settled(
        _ intents: [Intent], mine: String, left: [String], now: Date, resolved: (Intent) -> Bool
    ) -> [Intent] {
        intents.compactMap { intent in
            if intent.id == mine {
                guard !left.isEmpty else { return nil }
                var settled = intent
                settled.settled = true
                settled.left = left.map { $0.lowercased() }
                return settled
            }
            if now.timeIntervalSince(intent.closes) > retainedDays * 86_400 { return nil }
            return resolved(intent) ? nil : intent
        }
    }

    /// `record`, without its oldest intents (settled ones first) while its JSON exceeds
    /// ``CredentialRecord/maximumBytes``.
    static func fitted(_ record: CredentialRecord) -> CredentialRecord {
        var result = record
        while size(result) > CredentialRecord.maximumBytes, !result.intents.isEmpty {
            let index = result.intents.firstIndex(where: \.settled) ?? 0
            result.intents.remove(at: index)
        }
        return result
    }

    private static func size(_ record: CredentialRecord) -> Int {
        (try? JSON.encoder().encode(record).count) ?? 0
    }
}
