/// Literal IPv4 and IPv6 addresses as bytes: parsing and CIDR ranges.
enum IPAddress {
    /// The 4 or 16 bytes of a literal address (no brackets), or `nil` for anything else.
    static func parse(_ text: String) -> [UInt8]? {
        text.contains(":") ? parseV6(text) : parseV4(text)
    }

    /// Whether `cidr` (`10.0.0.0/8`, `fd00::/8`) contains the literal address `host`.
    static func cidr(_ cidr: String, contains host: String) -> Bool {
        let parts = cidr.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let network = parse(String(parts[0])), let bits = Int(parts[1]),
            let address = parse(host), address.count == network.count, bits >= 0, bits <= network.count * 8
        else { return false }
        for index in 0..<network.count {
            let remaining = bits - index * 8
            if remaining <= 0 { break }
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if address[index] & mask != network[index] & mask { return false }
        }
        return true
    }

    private static func parseV4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { part -> UInt8? in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII) else { return nil }
            return UInt8(part)
        }
        return bytes.count == 4 ? bytes : nil
    }

    private static func parseV6(_ text: String) -> [UInt8]? {
        var text = text
        // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
        if let lastColon = text.lastIndex(of: ":"), text[lastColon...].contains(".") {
            guard let v4 = parseV4(String(text[text.index(after: lastColon)...])) else { return nil }
            let high = String(UInt16(v4[0]) << 8 | UInt16(v4[1]), radix: 16)
            let low = String(UInt16(v4[2]) << 8 | UInt16(v4[3]), radix: 16)
            text = String(text[...lastColon]) + high + ":" + low
        }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2, let first = groups(halves[0]), let second = halves.count == 2 ? groups(halves[1]) : []
        else { return nil }
        let fill = 8 - first.count - second.count
        guard halves.count == 2 ? fill >= 1 : fill == 0 else { return nil }
        let all = first + [UInt16](repeating: 0, count: fill) + second
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    private static func groups(_ part: String) -> [UInt16]? {
        if part.isEmpty { return [] }
        var values: [UInt16] = []
        for group in part.split(separator: ":", omittingEmptySubsequences: false) {
            guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
            values.append(value)
        }
        return values
    }
}
