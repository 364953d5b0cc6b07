/// The task from start to exit code: inputs in, logging commands out.
///
/// The executable builds one with the real environment, stdout, clock and libcurl; tests
/// build one with fakes.
public struct TaskRunner: Sendable {
    private let environment: [String: String]
    private let sink: any OutputSink
    private let clock: any WallClock
    private let files: any FileWriter
    private let makeTransport: @Sendable (HTTPSettings) -> any HTTPTransport
    private let signals: any SignalSource
    private let cancellation: Cancellation
    /// The actions it knows (``ActionRegistry/standard``; tests add their own).
    private var actions = ActionRegistry.standard

    /// Runs with the command-line `arguments` (without the program name) and returns the exit code.
    /// `--check-inputs` loads and validates the inputs exactly as a run does, then stops before any call.
    public func run(arguments: [String]) async -> Int32 {
        if arguments.contains("--version") {
            sink.writeLine("rotate-credential \(Version.current)")
            return 0
        }
        if arguments.contains("--help") || arguments.contains("-h") {
            sink.writeLine(HelpText.text(actions: actions.names))
            return 0
        }
        let checkOnly = arguments == ["--check-inputs"]
        if !checkOnly, let unknown = arguments.first {
            sink.writeLine(
                "rotate-credential: unknown argument '\(unknown)'. Inputs come from INPUT_* environment variables; see --help."
            )
            return 2
        }
        let output = PipelineOutput(
            sink: sink, debugEnabled: environment["SYSTEM_DEBUG"]?.lowercased() == "true",
            underAgent: AgentPresence.isUnderAgent(environment))
        maskSecretsInEnvironment(output)
        let cancellation = self.cancellation
        signals.start { name in
            let first = cancellation.requested == nil
            cancellation.cancel(name)
            output.info(Self.stopping(name, first: first, deadlines: cancellation.deadlines))
        }

        let configuration: Configuration
        let descriptor: ActionDescriptor
        do throws(InputErrors) {
            (configuration, descriptor) = try actions.load(environment: environment)
        } catch {
            for problem in error.errors {
                output.error(problem.description)
            }
            let count = error.errors.count
            output.complete(.failed, "\(count) input error\(count == 1 ? "" : "s"); nothing was called or changed.")
            return 1
        }
        if checkOnly {
            output.complete(
                .succeeded,
                "The inputs are valid for \(configuration.action.rawValue); nothing was called (--check-inputs).")
            return 0
        }
        return await run(configuration, descriptor: descriptor, output: output)
    }

    private func run(_ configuration: Configuration, descriptor: ActionDescriptor, output: PipelineOutput) async
        -> Int32
    {
        // Every wait and every call ends in time once SIGINT or SIGTERM asked the run to stop.
        let clock = StoppableClock(base: self.clock, cancellation: cancellation)
        let stoppable = StoppableTransport(makeTransport(configuration.http), cancellation: cancellation)
        let transport = RetryingTransport(stoppable, clock: clock) { line in
            output.info(line)
        }
        let http = HTTPClient(transport: transport, output: output, clock: clock)
        let services = ServiceContext(
            http: http, urls: configuration.urls,
            tokens: TokenCache(client: EntraTokenClient(http: http, urls: configuration.urls)))
        let context = ActionContext(
            configuration: configuration, output: output, clock: clock, services: services, files: files,
            cancellation: cancellation)

        output.info(
            "rotate-credential \(Version.current): \(configuration.action.rawValue) in organization \(configuration.organization)\(configuration.dryRun ? " (dry run: nothing will be changed)" : "")"
        )
        await TokenPrefetch.start(configuration, rule: descriptor.tokens, tokens: services.tokens)
        let code = await perform(descriptor, context: context)
        await services.tokens.settle()
        return code
    }

    private func perform(_ descriptor: ActionDescriptor, context: ActionContext) async -> Int32 {
        let configuration = context.configuration
        let output = context.output
        do {
            let result = try await descriptor.build(configuration).run(context)
            let access = await checkAccess(context)
            output.setVariable("changed", String(result.changed && !configuration.dryRun))
            writeSummary(result.summaryMarkdown + AccessCheck.summary(access), context: context)
            return finish(result, refused: access.filter { $0.verdict == .refused }.count, context: context)
        } catch {
            output.error(String(describing: error))
            if let signal = context.cancellation.requested {
                try? context.writeReport(StoppedRun(configuration, signal: signal, error: "\(error)"))
                output.complete(
                    .failed, "Cancelled (\(signal)): \(configuration.action.rawValue) stopped; see the error above.")
                return 1
            }
            output.complete(.failed, "\(configuration.action.rawValue) failed; see the error above.")
            return 1
        }
    }

    /// A dry run's access check (``AccessCheck``): whether the services would allow each planned
    /// change. Nothing in a real run or after a stop request.
    private func checkAccess(_ context: ActionContext) async -> [AccessFinding] {
        guard context.configuration.dryRun, context.cancellation.requested == nil else { return [] }
        return await AccessCheck(context: context).run()
    }

    /// Reports how the run ended and returns the exit code: 1 after a stop request, a failure, or a
    /// dry run whose planned changes the services would refuse (`refused` of them).
    private func finish(_ result: ActionResult, refused: Int, context: ActionContext) -> Int32 {
        let output = context.output
        if let signal = context.cancellation.requested {
            for failure in result.failures { output.error(failure.stateReport) }
            output.complete(
                .failed,
                "Cancelled (\(signal)): stopped; the state is reported above. Run the pipeline again to finish.")
            return 1
        }
        if !result.failures.isEmpty {
            for failure in result.failures {
                output.error(failure.stateReport)
            }
            output.complete(
                .failed,
                "\(result.failures.count) of the credentials could not be handled; see the errors above for what state each is in."
            )
            return 1
        }
        if refused > 0 {
            output.complete(
                .failed,
                "Dry run: \(refused) planned change\(refused == 1 ? "" : "s") would be refused; the errors above name what is missing and the fix. Nothing was changed."
            )
            return 1
        }
        if output.warningCount > 0 {
            output.complete(.succeededWithIssues, "Done, with warnings.")
        } else {
            output.complete(.succeeded, context.configuration.dryRun ? "Dry run done; nothing was changed." : "Done.")
        }
        return 0
    }

    /// The line a stop request writes: what the run does now, and in how much time.
    static func stopping(_ signal: String, first: Bool, deadlines: Cancellation.Deadlines?) -> String {
        guard let deadlines else { return "\(signal) received: stopping." }
        func left(_ instant: ContinuousClock.Instant) -> String {
            Decimals.fixed(max(0, ContinuousClock.now.duration(to: instant).seconds), digits: 1)
        }
        guard first else {
            return "\(signal) received: what is still being undone gets \(left(deadlines.undo)) s more at most."
        }
        return
            "\(signal) received: stopping. Nothing new is sent; a read in flight is abandoned, a write in flight gets \(left(deadlines.writes)) s to answer; what must not linger is undone (for \(left(deadlines.undo)) s at most); then the state is reported."
    }

    /// Registers every secret the environment hands in before anything else is printed.
    private func maskSecretsInEnvironment(_ output: PipelineOutput) {
        var values: [String] = InputCatalogue.all.filter(\.isSecret).compactMap { environment[$0.environmentVariable] }
        values += [
            "SYSTEM_ACCESSTOKEN", "ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN",
            "SECRET_AGENT_PROXYPASSWORD", "AGENT_PROXYPASSWORD", "SECRET_AGENT_CLIENTCERTPASSWORD",
        ]
        .compactMap { environment[$0] }
        values += environment.filter {
            $0.key.hasPrefix("ENDPOINT_AUTH_PARAMETER_") && $0.key.hasSuffix("_SERVICEPRINCIPALKEY")
        }
        .map(\.value)
        for value in values where !value.isEmpty {
            output.mask(Secret(value))
        }
    }

    /// Writes this step's summary (with the warnings folded out of the timeline) and attaches it.
    /// Outside an agent nothing would upload it, so no file is left behind.
    private func writeSummary(_ markdown: String, context: ActionContext) {
        guard context.configuration.underAgent else { return }
        let folded = context.output.foldedWarnings
        var text = markdown
        if !folded.isEmpty {
            text += "\n### More warnings\n\n" + folded.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        guard !text.isEmpty else { return }
        let path = context.configuration.summaryPath
        do {
            try TaskFiles(writer: files, output: context.output).writeText(text, to: path)
            context.output.uploadSummary(path: path)
        } catch {
            context.output.warning("Could not write the run summary to \(path): \(FileWriteFailure.describe(error)).")
        }
    }
}

extension TaskRunner {
    /// Creates a runner; `signals` delivers stop requests (SIGINT, SIGTERM).
    public init(
        environment: [String: String], sink: any OutputSink, clock: any WallClock, files: any FileWriter,
        signals: any SignalSource = NoSignals(),
        makeTransport: @escaping @Sendable (HTTPSettings) -> any HTTPTransport
    ) {
        self.init(
            environment: environment, sink: sink, clock: clock, files: files, makeTransport: makeTransport,
            signals: signals, cancellation: Cancellation(budget: StopBudget(environment: environment)))
    }

    /// A runner that knows `actions` instead of the task's own (the guard tests add one).
    init(
        environment: [String: String], sink: any OutputSink, clock: any WallClock, files: any FileWriter,
        actions: ActionRegistry, makeTransport: @escaping @Sendable (HTTPSettings) -> any HTTPTransport
    ) {
        self.init(environment: environment, sink: sink, clock: clock, files: files, makeTransport: makeTransport)
        self.actions = actions
    }
}
