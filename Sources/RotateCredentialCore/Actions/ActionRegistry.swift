/// Every action the task performs: the one list of ``ActionDescriptor``s. Adding an action means
/// its descriptor (beside its family's files), one line here, `task.json` and the docs;
/// `ActionGuardTests` proves that a descriptor alone is enough.
struct ActionRegistry: Sendable {
    /// The descriptors, in `task.json` order.
    let descriptors: [ActionDescriptor]

    /// A registry of `descriptors`; their names must be distinct.
    init(_ descriptors: [ActionDescriptor]) {
        precondition(Set(descriptors.map(\.name)).count == descriptors.count, "two actions share a name")
        self.descriptors = descriptors
    }

    /// The task's actions.
    static let standard = ActionRegistry([
        .patList, .patRenew, .patRotate, .patCreate, .patRevoke, .appSecretRotate, .appSecretCreate,
        .appSecretRevoke, .serviceConnectionUpdate, .patOwnerLogin, .serviceConnectionConvert,
        .serviceConnectionList,
    ])

    /// The actions' names, in order.
    var names: [ActionName] { descriptors.map(\.name) }

    /// The descriptor of the action named `name`.
    func descriptor(named name: ActionName) -> ActionDescriptor? {
        descriptors.first { $0.name == name }
    }

    /// Reads the inputs from `environment` for the action they name and checks them against its
    /// requirements; throws ``InputErrors`` listing every problem (nothing has been called).
    func load(environment: [String: String]) throws(InputErrors) -> (Configuration, ActionDescriptor) {
        var loader = ConfigurationLoader(environment: environment)
        let descriptor = loader.readAction(names: names).flatMap(descriptor(named:))
        let configuration = loader.build(action: descriptor?.name, reads: descriptor?.reads ?? [])
        var errors = loader.errors
        guard let configuration, let descriptor else { throw InputErrors(errors: errors) }
        RequirementCheck.run(descriptor.requirements, on: configuration, errors: &errors)
        guard errors.isEmpty else { throw InputErrors(errors: errors) }
        return (configuration, descriptor)
    }
}
