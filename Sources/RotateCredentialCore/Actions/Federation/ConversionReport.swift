/// The JSON report of `service-connection-convert` (`reportPath`).
struct ConversionReport: Encodable {
    var action: String
    var dryRun: Bool
    var changed: Bool
    var connections: [Connection] = []
    var retirements: [Retirement.Note] = []
    var completedSteps: [String] = []
    var failures: [String] = []

    /// One listed connection: its facts and how its conversion went.
    struct Connection: MergedEncodable, Equatable {
        var base: ConnectionFacts
        var extra: Progress
    }

    /// What the conversion adds to a connection's facts.
    struct Progress: Encodable, Equatable {
        /// What was decided (``ConversionDecision/label``).
        var decision: String
        var operationStatus: String?
        /// How the new sign-in was proved, and how long the connection could not sign in.
        var proof: String?
        var gapSeconds: Double?
        var outcome: String
    }
}
