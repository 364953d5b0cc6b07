/// One action of the task, described in one place, as a swift-argument-parser command owns its
/// name, its option groups, its `validate()` and its `run()`: the name, the option groups it
/// reads, the rules its inputs must meet, the tokens it asks for up front, and how it is built.
/// ``ActionRegistry`` lists every descriptor; nothing else names an action.
struct ActionDescriptor: Sendable {
    /// The action's name, kebab case as in `task.json` (`pat-list`).
    let name: ActionName
    /// The option groups it reads (the readings that differ between actions follow them).
    let reads: Set<InputGroup>
    /// The rules its inputs must meet, checked in order before any call (``Requirement``).
    let requirements: [Requirement]
    /// The tokens it asks for before it runs.
    let tokens: TokenPrefetch.Rule
    /// Builds the action from a configuration its requirements accepted: the values they
    /// guarantee arrive typed and non-optional. A value they guarantee that is missing anyway is
    /// an ``InternalError``, never an input error.
    let build: @Sendable (Configuration) throws(InternalError) -> any TaskAction

    /// Creates a descriptor.
    init(
        _ name: ActionName, reads: Set<InputGroup>, requirements: [Requirement], tokens: TokenPrefetch.Rule,
        build: @escaping @Sendable (Configuration) throws(InternalError) -> any TaskAction
    ) {
        self.name = name
        self.reads = reads
        self.requirements = requirements
        self.tokens = tokens
        self.build = build
    }
}
