import Foundation

/// Deterministic damage to real responses, for fuzzing the decoders: truncations, byte flips,
/// dropped characters, and JSON values swapped for other types.
enum Mutations {
    /// Every variant of `body`, capped at `limit`.
    static func of(_ body: String, limit: Int = 400) -> [String] {
        var variants: [String] = []
        let bytes = Array(body.utf8)
        let step = max(1, bytes.count / 60)
        for cut in stride(from: 0, to: bytes.count, by: step) {
            variants.append(String(decoding: bytes[0..<cut], as: UTF8.self))
        }
        var generator = SplitMix(seed: 0x5eed)
        let replacements: [UInt8] = Array("{}[]\",:0n\\\u{7f}x".utf8) + [0xff, 0x00]
        for _ in 0..<120 {
            var copy = bytes
            let position = Int(generator.next() % UInt64(copy.count))
            copy[position] = replacements[Int(generator.next() % UInt64(replacements.count))]
            variants.append(String(decoding: copy, as: UTF8.self))
            var shorter = bytes
            shorter.remove(at: position)
            variants.append(String(decoding: shorter, as: UTF8.self))
        }
        for (pattern, replacement) in [
            (#""[^"]*""#, "12345"), (#""[^"]*""#, "null"), (#""[^"]*""#, "[]"), (#"\d+"#, #""x""#),
            (#"true|false"#, #""maybe""#), (#"\[[^\[\]]*\]"#, "{}"), (#"\{[^{}]*\}"#, "[]"),
        ] {
            let regex = try! NSRegularExpression(pattern: pattern)
            let range = NSRange(body.startIndex..., in: body)
            for match in regex.matches(in: body, range: range).prefix(40) {
                let mutated = (body as NSString).replacingCharacters(in: match.range, with: replacement)
                variants.append(mutated)
            }
        }
        variants += [
            "", "null", "[]", "{}", "\"text\"", "<html><body>Sign in</body></html>",
            String(repeating: "[", count: 5000),
        ]
        return Array(variants.prefix(limit))
    }

    /// A small deterministic random generator.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
