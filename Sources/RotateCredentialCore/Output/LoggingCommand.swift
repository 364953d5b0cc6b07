/// One `##vso[area.event key=value;]data` logging command, escaped exactly as the agent unescapes it.
///
/// The agent (`CommandStringConvertor.Unescape`) turns `%3B` into `;`, `%0D` into CR, `%0A` into LF,
/// `%5D` into `]` and then `%AZP25` into `%`. Data needs `%`, CR and LF escaped; property values
/// also `]` and `;`. `%` is escaped first, so a literal `%0A` survives as `%AZP250A`.
struct LoggingCommand: Sendable, Equatable {
    /// `area.event`, for example `task.setvariable`.
    var name: String
    /// Properties in the order they are written.
    var properties: [(String, String)]
    /// The data after `]`.
    var data: String

    /// Creates a command.
    init(_ name: String, properties: [(String, String)] = [], data: String = "") {
        self.name = name
        self.properties = properties
        self.data = data
    }

    /// The line to print.
    var line: String {
        var text = "##vso[\(name)"
        if !properties.isEmpty {
            text += " " + properties.map { "\($0.0)=\(Self.escapeProperty($0.1));" }.joined()
        }
        return text + "]" + Self.escapeData(data)
    }

    /// The line outside an agent, where nothing unescapes it: the text as written (a `%` stays
    /// `%`), with CR and LF shown as `\r` and `\n` so that one command stays one line.
    var plainLine: String {
        var text = "##vso[\(name)"
        if !properties.isEmpty {
            text += " " + properties.map { "\($0.0)=\(Self.plain($0.1));" }.joined()
        }
        return text + "]" + Self.plain(data)
    }

    /// `value` on one line, otherwise as written.
    static func plain(_ value: String) -> String {
        value.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Escapes command data: `%`, CR, LF.
    static func escapeData(_ value: String) -> String {
        value.replacingOccurrences(of: "%", with: "%AZP25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Escapes a property value: `%`, CR, LF, `]` and `;`.
    static func escapeProperty(_ value: String) -> String {
        escapeData(value)
            .replacingOccurrences(of: "]", with: "%5D")
            .replacingOccurrences(of: ";", with: "%3B")
    }

    static func == (lhs: LoggingCommand, rhs: LoggingCommand) -> Bool {
        lhs.line == rhs.line
    }
}
