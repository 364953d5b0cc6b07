/// The JSON report of `service-connection-convert` (`reportPath`).
struct ConversionReport: Encodable {
    var action: String
    var dryRun: Bool
    var changed: Bool
    var connections: [Connection] = []
    var retirements: [Retirement.Note] = []
    var completedSteps: [String] = []
    var failures: [String] = []

    /// One listed connection.
    struct Connection: Encodable, Equatable {
        var name: String
        var id: String
        var applicationId: String?
        var decision: String
        var scheme: String
        var issuer: String?
        var subject: String?
        var isReady: Bool?
        var operationStatus: String?
        var revertDeadline: String?
        var proof: String?
        var gapSeconds: Double?
        var outcome: String
    }
}
