/// A display-name pattern with `*` wildcards, matched case-insensitively (as Azure DevOps compares names).
struct NamePattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as given.
    let text: String

    /// Creates a pattern.
    init(_ text: String) {
        self.text = text
    }

    /// Whether the pattern names one display name exactly (no `*`): a typo in it must not pass
    /// as "nothing to do".
    var isLiteral: Bool { !text.contains("*") }

    /// Whether `name` matches.
    func matches(_ name: String) -> Bool {
        Self.match(Array(text.lowercased()), Array(name.lowercased()))
    }

    var description: String { text }

    private static func match(_ pattern: [Character], _ name: [Character]) -> Bool {
        // Iterative glob with backtracking to the last star: linear in practice.
        var p = 0
        var n = 0
        var star = -1
        var mark = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == "*" {
                star = p
                mark = n
                p += 1
            } else if p < pattern.count, pattern[p] == name[n] {
                p += 1
                n += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                n = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

extension Array where Element == NamePattern {
    /// Whether any pattern matches `name`. An empty list matches nothing.
    func matchesAny(_ name: String) -> Bool {
        contains { $0.matches(name) }
    }
}
