/// The registered secrets, indexed so that scrubbing a line costs time proportional to the line,
/// not to the number of secrets (a run over 1,000 tokens registers thousands of values).
///
/// Every registered value is at least ``SecretValueRule/minimumLength`` characters long. Scrubbing
/// hides the union of all matches: where one secret's prefix is another's suffix, or one contains
/// another, the whole overlapping stretch becomes one `***` (longest matches win).
struct SecretIndex {
    /// Length of the prefix the index is keyed by; no registered value is shorter.
    private static let keyLength = 6
    private var byPrefix: [ArraySlice<UInt8>: [[UInt8]]] = [:]
    private(set) var all: Set<String> = []

    /// Adds a value; returns false when it was already known or is too short to index.
    mutating func insert(_ secret: String) -> Bool {
        let bytes = Array(secret.utf8)
        guard bytes.count >= Self.keyLength, all.insert(secret).inserted else { return false }
        byPrefix[bytes[0..<Self.keyLength], default: []].append(bytes)
        byPrefix[bytes[0..<Self.keyLength]]?.sort { $0.count > $1.count }
        return true
    }

    /// `text` with every registered value replaced by `***`.
    func scrub(_ text: String) -> String {
        guard !all.isEmpty else { return text }
        let bytes = Array(text.utf8)
        guard bytes.count >= Self.keyLength else { return text }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var coveredUntil = 0
        var changed = false
        for index in bytes.indices {
            if index + Self.keyLength <= bytes.count,
                let candidates = byPrefix[bytes[index..<index + Self.keyLength]],
                let match = candidates.first(where: { bytes[index...].starts(with: $0) })
            {
                if index >= coveredUntil { result.append(contentsOf: Array("***".utf8)) }
                coveredUntil = max(coveredUntil, index + match.count)
                changed = true
            } else if index >= coveredUntil {
                result.append(bytes[index])
            }
        }
        return changed ? String(decoding: result, as: UTF8.self) : text
    }
}
