import Testing

@testable import RotateCredentialCore

@Suite struct LoggingCommandTests {
    @Test func escapesDataLikeTheAgentUnescapes() {
        #expect(LoggingCommand.escapeData("50% off\r\nnext") == "50%AZP25 off%0D%0Anext")
        #expect(LoggingCommand.escapeData("a;b]c") == "a;b]c")
    }

    @Test func escapesPropertyValues() {
        #expect(LoggingCommand.escapeProperty("a;b]c%") == "a%3Bb%5Dc%AZP25")
        let command = LoggingCommand("task.setvariable", properties: [("variable", "x;y")], data: "v\n")
        #expect(command.line == "##vso[task.setvariable variable=x%3By;]v%0A")
    }

    @Test func literalPercentSequenceRoundTrips() {
        #expect(LoggingCommand.escapeData("%0A") == "%AZP250A")
    }
}
