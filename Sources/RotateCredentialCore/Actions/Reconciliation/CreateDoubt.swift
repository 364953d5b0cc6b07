/// Whether a failure leaves a create that may still land: no certain answer (an uncertain create,
/// the source unreadable after one, a call abandoned by a stop request). The run then keeps its
/// intent open, so the next run takes what lands as the task's orphan.
enum CreateDoubt {
    /// Whether `error` says a create may still land.
    static func mayStillLand(_ error: (any Error)?) -> Bool {
        switch error {
        case .some(RotationFailure.uncertainCreate), .some(RotationFailure.uncertainCreateUnchecked): return true
        case let service as ServiceError: return service.mayStillLand
        default: return false
        }
    }
}
