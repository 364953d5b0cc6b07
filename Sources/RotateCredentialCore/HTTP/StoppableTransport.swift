/// Wraps the real transport so that a stop request (SIGINT, SIGTERM) ends every call in time.
///
/// Once a stop was requested no request is sent, except undo calls (``Cancellation/undoing(_:)``)
/// until the undo deadline. A request in flight is abandoned (its transfer aborted): a read at
/// once, a write at the write deadline (a few seconds in which its answer may still arrive), an
/// undo at the undo deadline. A write abandoned so may still be carried out by the service: its
/// error says so, and a create's "the next run removes it".
struct StoppableTransport: HTTPTransport {
    private let base: any HTTPTransport
    private let cancellation: Cancellation

    /// Wraps `base`; `cancellation` holds the stop request and its deadlines.
    init(_ base: any HTTPTransport, cancellation: Cancellation) {
        self.base = base
        self.cancellation = cancellation
    }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let undoing = Cancellation.isUndoing
        if let deadlines = cancellation.deadlines, !undoing || deadlines.undo <= .now {
            throw Self.notSent(deadlines, undoing: undoing, budget: cancellation.budget)
        }
        let base = self.base
        let cancellation = self.cancellation
        let deadline: Cancellation.Deadline = undoing ? .undo : request.isRead ? .stop : .writes
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do throws(TransportError) {
                    return .answered(.success(try await base.send(request)))
                } catch {
                    return .answered(.failure(error))
                }
            }
            group.addTask { await cancellation.waitFor(deadline) ? .deadline : .watchEnded }
            defer { group.cancelAll() }
            while let next = await group.next() {
                // The watch ends early only when this task is cancelled: the transfer's own end decides.
                if case .watchEnded = next { continue }
                return next
            }
            return .watchEnded
        }
        guard case .answered(let answer) = outcome else {
            throw Self.abandoned(request, deadlines: cancellation.deadlines)
        }
        return try answer.get()
    }

    /// How a call ended: its answer (or transport error), or its deadline after a stop request.
    private enum Outcome: Sendable {
        case answered(Result<HTTPResponse, TransportError>)
        case deadline
        case watchEnded
    }

    private static func notSent(_ deadlines: Cancellation.Deadlines, undoing: Bool, budget: StopBudget)
        -> TransportError
    {
        let signal = deadlines.signal
        guard undoing else {
            return TransportError(.stopped(mayHaveLanded: false), "not sent: the run is stopping (\(signal))")
        }
        return TransportError(
            .stopped(mayHaveLanded: false),
            "not sent: the time for undoing after \(signal) (\(Decimals.fixed(budget.undoEnd(of: signal), digits: 1)) s) ran out"
        )
    }

    private static func abandoned(_ request: HTTPRequest, deadlines: Cancellation.Deadlines?) -> TransportError {
        let signal = deadlines?.signal ?? "a stop request"
        guard !request.isRead else {
            return TransportError(.stopped(mayHaveLanded: false), "abandoned: the run is stopping (\(signal))")
        }
        let waited = deadlines.map { Decimals.fixed($0.received.duration(to: .now).seconds, digits: 1) } ?? "?"
        return TransportError(
            .stopped(mayHaveLanded: true),
            "no answer \(waited) s after \(signal), so it was abandoned: it may still land",
            advice: request.isIdempotent ? "The next run sees whether it did." : "The next run removes it.")
    }
}
