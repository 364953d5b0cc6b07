import Testing

@testable import RotateCredentialCore

@Suite struct PipelineOutputTests {
    @Test func masksEachLineOfAMultiLineSecretOnce() {
        let sink = CapturingSink()
        let output = PipelineOutput(sink: sink, debugEnabled: false)
        output.mask(Secret("first-line\nsecond-line\r\n"))
        output.mask(Secret("first-line"))
        #expect(sink.lines == [
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
        #expect(sink.lines == [
            "##vso[task.logissue type=error;]100%AZP25 broken%0Asecond",
            "##vso[task.complete result=Failed;]done",
        ])
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
