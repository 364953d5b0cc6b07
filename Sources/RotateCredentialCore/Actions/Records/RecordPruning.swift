/// Keeps a record small and current: intents are settled when their run ends and dropped once
/// nothing they created can still be live and unheld; a record that would not fit in a Key
/// Vault secret loses its oldest intents first.
enum RecordPruning {
    /// Days after which an intent is dropped whatever it covered (longer than any PAT lives).
    static let retainedDays = 400.0
    /// Seconds another run's open intent is kept after it closed, even when a run found nothing of
    /// it left: a create that got no certain answer may land minutes later.
    static let lingerSeconds = 3_600.0

    /// `intents` with the one of id `mine` settled (kept only while `left` is not empty; nil: this
    /// run's stays open), and the others dropped where `resolved` says nothing they created is
    /// live and unheld (once they closed ``lingerSeconds`` ago), or when they closed more than
    /// ``retainedDays`` before `now`.
    static func settled(
        _ intents: [Intent], mine: String?, left: [String], now: Date, resolved: (Intent) -> Bool
    ) -> [Intent] {
        intents.compactMap { intent in
            if intent.id == mine {
                guard !left.isEmpty else { return nil }
                var settled = intent
                settled.settled = true
                settled.left = left.map { $0.lowercased() }
                return settled
            }
            let closedFor = now.timeIntervalSince(intent.closes)
            if closedFor > retainedDays * 86_400 { return nil }
            return closedFor > lingerSeconds && resolved(intent) ? nil : intent
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
