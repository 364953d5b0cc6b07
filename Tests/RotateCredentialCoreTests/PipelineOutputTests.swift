import Testing

@testable import RotateCredentialCore

@Suite struct PipelineOutputTests {
    @Test func masksEachLineOfAMultiLineSecretOnce() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        output.mask(Secret("first-line\nsecond-line\r\n"))
        output.mask(Secret("first-line"))
        #expect(
            sink.lines == [
                "##vso[task.setsecret]first-line%0Asecond-line%0D%0A", "##vso[task.setsecret]first-line",
                "##vso[task.setsecret]second-line",
            ])
    }

    @Test func plainLinesNeverShowARegisteredSecret() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: true)
        let secret = output.adopt("s3cr3t-value")
        output.info("value is s3cr3t-value")
        output.warning("warn s3cr3t-value")
        output.debug("debug s3cr3t-value")
        #expect(secret.description == "***")
        #expect(sink.lines.dropFirst().allSatisfy { !$0.contains("s3cr3t-value") })
        #expect(sink.lines.contains("value is ***"))
    }

    @Test func secretVariableIsRegisteredFirstAndMultiLineIsRefused() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        output.setSecretVariable("newCredential", Secret("abc;def]"))
        #expect(sink.lines[0] == "##vso[task.setsecret]abc;def]")
        #expect(sink.lines[1] == "##vso[task.setvariable variable=newCredential;isoutput=true;issecret=true;]abc;def]")
        output.setSecretVariable("twoLines", Secret("a-line\nb-line"))
        #expect(!sink.lines.contains { $0.contains("variable=twoLines") })
    }

    @Test func nothingFollowsTaskComplete() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: true)
        output.complete(.failed, "stop")
        output.debug("a late request answered")
        output.info("late")
        #expect(sink.lines == ["##vso[task.complete result=Failed;]stop"])
    }

    @Test func debugLinesOnlyWhenEnabled() {
        let sink = CapturingSink()
        PipelineOutput(sink: sink, debugEnabled: false).debug("hidden")
        #expect(sink.lines.isEmpty)
    }

    @Test func textCannotInjectALoggingCommand() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        output.info("name ##vso[task.setvariable variable=x]y")
        #expect(!sink.lines[0].contains("##vso["))
    }

    @Test func escapesIssueMessagesAndCompletes() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        output.error("100% broken\nsecond")
        output.complete(.failed, "done")
        #expect(
            sink.lines == [
                "##vso[task.logissue type=error;]100%AZP25 broken\\nsecond",
                "##vso[task.complete result=Failed;]done",
            ])
    }
}

@Suite struct ServiceTextTests {
    /// What a service could put into a display name or an error message.
    static let hostile = [
        "x\n##[error]boom", "x\r##vso[task.complete result=Succeeded;]", "x\u{2028}##[warning]y", "x\u{85}y",
        "##[section]at the start", "\u{1B}[31mred\u{1B}[0m", "a\r\nb",
    ]

    @Test func neverStartsALineOrAFormattingCommand() {
        for text in Self.hostile {
            let sink = CapturingSink()
            let output = PipelineOutput(sink: sink, debugEnabled: true)
            output.info("PAT '\(text)' expires")
            output.debug("PAT '\(text)'")
            output.warning("PAT '\(text)'")
            output.error("Graph: \(text)")
            output.group(text)
            output.complete(.failed, text)
            #expect(sink.lines.count == 6, "\(sink.lines)")
            for line in sink.lines {
                #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
                #expect(!line.unicodeScalars.contains { $0.value == 0x2028 || $0.value == 0x2029 })
                #expect(!line.contains("%0A") && !line.contains("%0D"), "\(line)")
                #expect(!line.dropFirst(2).contains("##["), "\(line)")
                #expect(line.components(separatedBy: "##vso[").count <= 2, "\(line)")
            }
        }
    }

    @Test func showsControlCharactersAsEscapes() {
        #expect(PipelineOutput.oneLine("a\nb\rc\u{1B}d\te") == "a\\nb\\rc\\u{1B}d\te")
        #expect(PipelineOutput.neutralize("##[error]x ##vso[y") == "**[error]x **vso[y")
        #expect(PipelineOutput.neutralize("a ##VsO[x] #vso ##") == "a **vso[x] #vso ##")
        #expect(PipelineOutput.neutralize("plain, no hash") == "plain, no hash")
    }
}

@Suite struct SecretIndexTests {
    @Test func scrubsLongestSecretsAnywhereInALine() {
        var index = SecretIndex()
        _ = index.insert("abcdefghij")
        _ = index.insert("abcdefghijKLMN")
        #expect(index.scrub("a abcdefghijKLMN b abcdefghij c d") == "a *** b *** c d")
        #expect(index.scrub("abcdefghi") == "abcdefghi")
        let insertedAgain = index.insert("abcdefghij")
        #expect(!insertedAgain)
    }

    @Test func overlappingSecretsAreHiddenWhole() {
        var index = SecretIndex()
        _ = index.insert("prefix-SHARED")
        _ = index.insert("SHARED-suffix")
        #expect(index.scrub("x prefix-SHARED-suffix y") == "x *** y")
        #expect(index.scrub("SHARED-suffix and prefix-SHARED") == "*** and ***")
    }

    @Test func findsSecretsAtEitherEndAndInTextsAsShortAsTheKey() {
        var index = SecretIndex()
        _ = index.insert("123456")
        _ = index.insert("zyxwvu-tail")
        #expect(index.scrub("123456") == "***")
        #expect(index.scrub("123456 x zyxwvu-tail") == "*** x ***")
        #expect(index.scrub("x1234567") == "x***7")
        #expect(index.scrub("12345") == "12345")
        #expect(index.scrub("zyxwvu-tai") == "zyxwvu-tai")
    }

    @Test func valuesTooShortToIndexAreNotRegistered() {
        var index = SecretIndex()
        let inserted = index.insert("xy1")
        #expect(!inserted)
        #expect(index.scrub("authorizationId xy1") == "authorizationId xy1")
    }

    @Test func leavesNonASCIITextIntact() {
        var index = SecretIndex()
        _ = index.insert("sécret-värde")
        #expect(index.scrub("før sécret-värde efter") == "før *** efter")
    }
}
