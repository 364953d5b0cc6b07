import Foundation
import Testing

@testable import RotateCredentialCore

@Suite struct PlainFormattingTests {
    @Test func decimalsRoundHalfAwayFromZero() {
        #expect(Decimals.fixed(2.25, digits: 1) == "2.3")
        #expect(Decimals.fixed(0.04, digits: 1) == "0.0")
        #expect(Decimals.fixed(12, digits: 1) == "12.0")
        #expect(Decimals.fixed(-1.06, digits: 1) == "-1.1")
        #expect(Decimals.fixed(3.14159, digits: 3) == "3.142")
        #expect(Decimals.fixed(7.6, digits: 0) == "8")
    }

    @Test func filePaths() {
        #expect(FilePaths.join("/tmp", "a.json") == "/tmp/a.json")
        #expect(FilePaths.join("/tmp/", "a.json") == "/tmp/a.json")
        #expect(FilePaths.parent("/tmp/x/a.json") == "/tmp/x")
        #expect(FilePaths.parent("/a.json") == "/")
        #expect(FilePaths.parent("a.json") == "")
        #expect(FilePaths.parent("/tmp/x/") == "/tmp")
        #expect(FilePaths.name("/tmp/x/a.json") == "a.json")
        #expect(FilePaths.standardized("/tmp//x/./y/../a.json") == "/tmp/x/a.json")
        #expect(FilePaths.standardized("/../dev/null") == "/dev/null")
        #expect(FilePaths.standardized("a/../../b/") == "../b")
        #expect(FilePaths.isDirectory("/") == true)
        #expect(FilePaths.isDirectory("/nonexistent-\(UUID().uuidString)") == nil)
    }

    @Test func httpDates() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.parse("Mon, 30 Nov 2026 08:14:53 GMT") == Date(timeIntervalSince1970: 1_796_026_493))
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 00:00:00 GMT") == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(HTTPDate.parse("120") == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 PST") == nil)
    }
}
