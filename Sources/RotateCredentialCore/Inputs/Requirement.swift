/// One rule of what an action needs from its inputs, checked after every input is read and
/// before any call (as swift-argument-parser's `validate()`). An action's descriptor lists its
/// rules (``ActionDescriptor/requirements``); the rules themselves are in
/// ``ActionRequirements``, ``PatOwnerSignInRequirements`` and ``FederationRequirements``.
///
/// A rule is pure: it reads the configuration and reports problems, and cannot change what it
/// checks (defaults are applied where a value is read, never here).
struct Requirement: Sendable {
    /// Reports the problems of `check.configuration` through `check.fail`.
    let check: @Sendable (inout RequirementCheck) -> Void

    /// Creates a rule.
    init(_ check: @escaping @Sendable (inout RequirementCheck) -> Void) {
        self.check = check
    }
}

/// The state of one requirements check: the configuration read (constant) and the problems found.
///
/// An identity that is missing because one of its inputs was already named as wrong is not
/// reported again as "required": the messages name only the inputs that are actually wrong.
struct RequirementCheck {
    /// The inputs an Azure identity (Graph, Key Vault) is read from.
    static let azureIdentityInputs: Set<String> = [
        "azureSubscription", "tenantId", "clientId", "clientSecret", "SYSTEM_OIDCREQUESTURI",
    ]
    /// The inputs the PAT owner's identity is read from.
    static let patOwnerInputs: Set<String> =
        azureIdentityInputs
        .union(["patOwnerUsername", "patOwnerPassword", "patOwnerAccessToken", "patOwnerRefreshTokenSecret"])

    /// What was read.
    let configuration: Configuration
    /// Every problem so far, those found while reading first.
    private(set) var errors: [InputError]
    /// The inputs already named as wrong while reading.
    private let named: Set<String>

    /// Checks `configuration`, whose reading found `errors`, against `requirements` in order; the
    /// problems they find are appended to `errors`.
    static func run(_ requirements: [Requirement], on configuration: Configuration, errors: inout [InputError]) {
        var check = RequirementCheck(configuration: configuration, errors: errors, named: Set(errors.map(\.input)))
        for requirement in requirements { requirement.check(&check) }
        errors = check.errors
    }

    /// The action whose requirements are checked.
    var action: ActionName { configuration.action }

    /// The inputs a value a rule asks for is read from, beyond the input itself: a value that is
    /// missing because one of them was already named as wrong is not reported again as missing.
    static let feeds: [String: Set<String>] = [
        "azureSubscription": azureIdentityInputs,
        "patOwnerUsername": patOwnerInputs,
        "azureDevOpsIdentity": azureIdentityInputs.union(["SYSTEM_ACCESSTOKEN"]),
        "keyVaultName": ["keyVaultUrl"],
        "project": ["SYSTEM_TEAMPROJECT"],
        "servicePrincipalKey": ["keyVaultName", "keyVaultUrl", "secretName"],
    ]

    /// Reports `input`, unless it, or an input the value it names is read from (``feeds``), was
    /// already named: one error per bad value.
    mutating func fail(_ input: String, _ message: String) {
        let feeds = Self.feeds[input, default: []].union([input])
        guard named.isDisjoint(with: feeds), !errors.contains(where: { $0.input == input }) else { return }
        errors.append(InputError(input, message))
    }
}
