import Synchronization

/// What a dry run planned to change, as needs (``AccessNeed``) in the order first planned, each with
/// the steps that need it, and what the run checked on the way (``notes``). The plan runner of a
/// dry run writes it; ``AccessCheck`` reads it at the end. A real run leaves it empty.
final class AccessLedger: Sendable {
    /// One need and the planned steps that need it.
    struct Entry: Sendable {
        /// What the steps need.
        var need: AccessNeed
        /// The planned steps that need it, by title.
        var steps: [String]
    }

    private struct State {
        var entries: [Entry] = []
        var records: [AccessNeed] = []
        var notes: [String] = []
    }

    private let state = Mutex(State())

    /// Notes that planned step `step` needs `needs`.
    func plan(_ needs: [AccessNeed], for step: String) {
        state.withLock { state in
            for need in needs {
                if let index = state.entries.firstIndex(where: { $0.need.key == need.key }) {
                    state.entries[index].steps.append(step)
                } else {
                    state.entries.append(Entry(need: need, steps: [step]))
                }
            }
        }
    }

    /// Notes the task's record (`need`, a Key Vault write), which a run writes when, and only when,
    /// it changes something: it takes its lease there first.
    func planRecord(_ need: AccessNeed) {
        state.withLock { state in
            if !state.records.contains(where: { $0.key == need.key }) { state.records.append(need) }
        }
    }

    /// Notes something the dry run itself proved (a session it redeemed), for the access check's account.
    func note(_ line: String) {
        state.withLock { $0.notes.append(line) }
    }

    /// The needs, the records' included when any change is planned.
    var entries: [Entry] {
        state.withLock { state in
            guard !state.entries.isEmpty else { return [] }
            let records = state.records.filter { record in !state.entries.contains { $0.need.key == record.key } }
            return state.entries + records.map { Entry(need: $0, steps: ["take the run's lease in the task's record"]) }
        }
    }

    /// What the dry run proved itself.
    var notes: [String] { state.withLock { $0.notes } }
}
