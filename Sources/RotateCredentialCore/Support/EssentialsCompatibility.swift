#if canImport(FoundationEssentials)
    import FoundationEssentials

    // The handful of Foundation string APIs this task uses that FoundationEssentials does not
    // have (they live in Foundation proper, which drags in ICU: 60 MB of the binary). Same names
    // and meaning, so the code reads the same on macOS, where Foundation provides them.

    /// A set of Unicode scalars, as far as this task needs one.
    struct CharacterSet: Sendable {
        private let test: @Sendable (Unicode.Scalar) -> Bool

        private init(_ test: @escaping @Sendable (Unicode.Scalar) -> Bool) {
            self.test = test
        }

        /// Exactly the scalars of `text`.
        init(charactersIn text: String) {
            let scalars = Set(text.unicodeScalars)
            self.init { scalars.contains($0) }
        }

        /// Spaces and tabs (Unicode `Zs` and U+0009).
        static let whitespaces = CharacterSet { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        /// Spaces, tabs and line breaks.
        static let whitespacesAndNewlines = CharacterSet { $0.properties.isWhitespace }
        /// Letters, marks and digits (Unicode `L*`, `M*`, `N*`).
        static let alphanumerics = CharacterSet { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
                return true
            default:
                return false
            }
        }

        /// Control and format characters (Unicode `Cc`, `Cf`).
        static let controlCharacters = CharacterSet {
            $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
        }
        /// Scalars Unicode does not assign.
        static let illegalCharacters = CharacterSet { $0.properties.generalCategory == .unassigned }

        /// Whether `scalar` is in the set.
        func contains(_ scalar: Unicode.Scalar) -> Bool { test(scalar) }

        /// The scalars of either set.
        func union(_ other: CharacterSet) -> CharacterSet {
            CharacterSet { self.test($0) || other.test($0) }
        }

        /// Adds the scalars of `text`.
        mutating func insert(charactersIn text: String) {
            self = union(CharacterSet(charactersIn: text))
        }
    }

    extension String.CompareOptions {
        /// The pattern is a regular expression (Swift `Regex` syntax, which covers the patterns used here).
        static var regularExpression: Self { Self(rawValue: 1024) }
    }

    extension StringProtocol {
        /// The text without leading and trailing scalars of `set`.
        func trimmingCharacters(in set: CharacterSet) -> String {
            let scalars = Substring(self).unicodeScalars
            guard let first = scalars.firstIndex(where: { !set.contains($0) }),
                let last = scalars.lastIndex(where: { !set.contains($0) })
            else { return "" }
            return String(scalars[first...last])
        }

        /// Every occurrence of `target` replaced with `replacement`, compared scalar by scalar
        /// (as Foundation does: `"\r"` is found inside `"\r\n"`), ignoring case with `.caseInsensitive`.
        func replacingOccurrences(of target: String, with replacement: String, options: String.CompareOptions = [])
            -> String
        {
            guard options.contains(.caseInsensitive), !target.isEmpty else {
                return String(
                    String(self).unicodeScalars.replacing(
                        Array(target.unicodeScalars), with: Array(replacement.unicodeScalars)))
            }
            let fold = { (scalar: Unicode.Scalar) in String(scalar).lowercased() }
            let source = Array(String(self).unicodeScalars)
            let needle = target.unicodeScalars.map(fold)
            var result = String.UnicodeScalarView()
            var index = 0
            while index < source.count {
                if index + needle.count <= source.count, source[index..<index + needle.count].map(fold) == needle {
                    result.append(contentsOf: replacement.unicodeScalars)
                    index += needle.count
                } else {
                    result.append(source[index])
                    index += 1
                }
            }
            return String(result)
        }

        /// The first occurrence of `pattern`: a literal, or a regular expression with `.regularExpression`.
        func range(of pattern: String, options: String.CompareOptions = []) -> Range<String.Index>? {
            let text = String(self)
            guard options.contains(.regularExpression) else {
                return text.unicodeScalars.firstRange(of: pattern.unicodeScalars)
            }
            guard let regex = try? Regex(pattern), let match = try? regex.firstMatch(in: text) else { return nil }
            return match.range
        }

        /// The text cut or padded with `pad` to `length` characters.
        func padding(toLength length: Int, withPad pad: String, startingAt index: Int) -> String {
            guard count < length else { return String(prefix(length)) }
            let filler = String(repeating: pad, count: length - count + index + 1).dropFirst(index)
            return String(self) + filler.prefix(length - count)
        }

        /// `%XX` escapes decoded as UTF-8; `nil` when one is malformed.
        var removingPercentEncoding: String? {
            var bytes: [UInt8] = []
            var iterator = Array(utf8).makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "%") else {
                    bytes.append(byte)
                    continue
                }
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            }
            return String(validating: bytes, as: UTF8.self)
        }

        /// Every UTF-8 byte of a scalar outside `allowed` written as `%XX`.
        func addingPercentEncoding(withAllowedCharacters allowed: CharacterSet) -> String? {
            var result = ""
            for scalar in Substring(self).unicodeScalars {
                if allowed.contains(scalar) {
                    result.unicodeScalars.append(scalar)
                } else {
                    for byte in String(scalar).utf8 {
                        result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                    }
                }
            }
            return result
        }
    }
#endif
