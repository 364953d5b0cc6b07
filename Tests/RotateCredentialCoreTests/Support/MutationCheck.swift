import Foundation
import Testing

@testable import RotateCredentialCore

/// What a mutation of a real answer is, as JSON.
enum MutationKind: Hashable {
    /// Not a JSON document (damage): a decoder must throw, or return the unmutated value when the damage lies
    /// only in what it does not read (JSONDecoder skips members it does not decode without checking them).
    case notJSON
    /// The same JSON document as the unmutated answer: a decoder must return the same value.
    case sameDocument
    /// Another JSON document (another answer, not damage), with its canonical spelling: a decoder throws, or
    /// decodes it to the value its canonical spelling decodes to (it reads the document, not its text).
    case otherDocument(canonical: String)

    /// Classifies `mutated` against `original` with ``JSONValue``, through the task's own JSON decoder.
    init(_ mutated: String, original: String) {
        let decoder = JSON.decoder()
        guard let value = try? decoder.decode(JSONValue.self, from: Data(mutated.utf8)) else {
            self = .notJSON
            return
        }
        if value == (try? decoder.decode(JSONValue.self, from: Data(original.utf8))) {
            self = .sameDocument
        } else {
            let canonical = (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) }
            self = .otherDocument(canonical: canonical ?? mutated)
        }
    }

    /// The kind without its payload, for counting.
    var name: String {
        switch self {
        case .notJSON: "not JSON"
        case .sameDocument: "same document"
        case .otherDocument: "other document"
        }
    }
}

extension Mutations {
    /// Asserts `decode` for every mutation of `original` (whose own decode must succeed): damage throws or
    /// decodes to the unmutated value, the same document decodes to the unmutated value, another document
    /// throws or decodes as its canonical spelling does. Returns how many mutations of each kind there were.
    @discardableResult
    static func check<Value: Equatable>(
        _ original: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ decode: (String) async throws -> Value
    ) async throws -> [String: Int] {
        let expected = try await decode(original)
        var counts: [String: Int] = [:]
        for body in of(original) {
            let kind = MutationKind(body, original: original)
            counts[kind.name, default: 0] += 1
            let decoded: Value? = try? await decode(body)
            let shown = String(reflecting: String(body.prefix(400)))
            switch kind {
            case .notJSON:
                #expect(
                    decoded == nil || decoded == expected, "not JSON, yet decoded to another value: \(shown)",
                    sourceLocation: sourceLocation)
            case .sameDocument:
                #expect(
                    decoded == expected, "the same document decoded differently: \(shown)",
                    sourceLocation: sourceLocation)
            case .otherDocument(let canonical):
                guard let decoded else { continue }
                let again: Value? = try? await decode(canonical)
                #expect(
                    decoded == again, "decoded differently from its canonical text: \(shown)",
                    sourceLocation: sourceLocation)
            }
        }
        #expect((counts["not JSON"] ?? 0) > 0, "no mutation damaged the answer", sourceLocation: sourceLocation)
        return counts
    }
}
