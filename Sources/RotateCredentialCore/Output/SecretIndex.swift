/// The registered secrets, indexed so that scrubbing a line costs time proportional to the line,
/// not to the number of secrets (a run over 1,000 tokens registers thousands of values).
struct SecretIndex {
    /// Secrets shorter than this are matched by a plain scan (they are rare: tokens are long).
    private static let keyLength = 6
    private var byPrefix: [ArraySlice<UInt8>: [[UInt8]]] = [:]
    private var short: [String] = []
    private(set) var all: Set<String> = []

    /// Adds a value; returns false when it was already known.
    mutating func insert(_ secret: String) -> Bool {
        guard all.insert(secret).inserted else { return false }
        let bytes = Array(secret.utf8)
        if bytes.count < Self.keyLength {
            short.append(secret)
            short.sort { $0.count > $1.count }
        } else {
            byPrefix[bytes[0..<Self.keyLength], default: []].append(bytes)
            // Longest first, so a secret that contains another is replaced whole.
            byPrefix[bytes[0..<Self.keyLength]]?.sort { $0.count > $1.count }
        }
        return true
    }

    /// `text` with every registered value replaced by `***`.
    func scrub(_ text: String) -> String {
        guard !all.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            if index + Self.keyLength <= bytes.count,
                let candidates = byPrefix[bytes[index..<index + Self.keyLength]],
                let match = candidates.first(where: { bytes[index...].starts(with: $0) })
            {
                result.append(contentsOf: Array("***".utf8))
                index += match.count
                changed = true
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        var scrubbed = changed ? String(decoding: result, as: UTF8.self) : text
        for secret in short where scrubbed.contains(secret) {
            scrubbed = scrubbed.replacingOccurrences(of: secret, with: "***")
        }
        return scrubbed
    }
}
