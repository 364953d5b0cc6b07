/// The JSON coding conventions of the services this task talks to.
enum JSON {
    /// A decoder that accepts the date formats Azure services send (up to 7 fractional digits).
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "Not an ISO 8601 date: \(text)"))
            }
            return date
        }
        return decoder
    }

    /// An encoder writing ISO 8601 dates with milliseconds in UTC.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }
}

/// ISO 8601 timestamps as the Azure services write and read them.
enum Timestamp {
    /// Parses `2020-11-02T22:56:52.1033333Z`, `…52Z`, `…52+00:00`, with 0 to 7 fractional digits.
    static func parse(_ text: String) -> Date? {
        var text = text.trimmingCharacters(in: .whitespaces)
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digitsEnd = text[dot...].dropFirst().firstIndex { !$0.isNumber } ?? text.endIndex
            let digits = text[text.index(after: dot)..<digitsEnd]
            fraction = Double("0." + digits) ?? 0
            text.removeSubrange(dot..<digitsEnd)
        }
        if !text.hasSuffix("Z"), !text.contains("+"), text.count == 19 { text += "Z" }
        return (try? Date.ISO8601FormatStyle().parse(text)).map { $0.addingTimeInterval(fraction) }
    }

    /// Formats `date` as `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC.
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Formats the day of `date` as `yyyy-MM-dd` in UTC.
    static func day(_ date: Date) -> String {
        String(format(date).prefix(10))
    }
}
