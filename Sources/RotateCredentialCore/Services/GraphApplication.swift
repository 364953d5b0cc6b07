/// An app registration as Microsoft Graph returns it with
/// `$select=id,appId,displayName,passwordCredentials`.
struct GraphApplication: Sendable, Decodable, Equatable {
    /// The object id.
    var id: String
    /// The application (client) id.
    var appId: String
    /// The display name.
    var displayName: String?
    /// The client secrets (without their values).
    var passwordCredentials: [PasswordCredential]

    /// Creates an application (tests).
    init(id: String, appId: String, displayName: String?, passwordCredentials: [PasswordCredential]) {
        self.id = id
        self.appId = appId
        self.displayName = displayName
        self.passwordCredentials = passwordCredentials
    }

    private enum CodingKeys: String, CodingKey {
        case id, appId, displayName, passwordCredentials
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        appId = try container.decode(String.self, forKey: .appId)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        // Selected explicitly: an answer without it would hide the secrets the app has.
        passwordCredentials = try container.decode([PasswordCredential].self, forKey: .passwordCredentials)
    }

    /// "'payments-deployer' (appId …)", for log lines.
    var label: String {
        "'\(displayName ?? id)' (appId \(appId))"
    }
}

/// A client secret of an application, without its value (`passwordCredential`).
struct PasswordCredential: Sendable, Decodable, Equatable {
    /// The secret's id.
    var keyId: String
    /// Its display name.
    var displayName: String?
    /// The first characters of the value.
    var hint: String?
    /// When it starts to work.
    var startDateTime: Date?
    /// When it expires.
    var endDateTime: Date?

    /// Creates a credential (tests).
    init(keyId: String, displayName: String?, hint: String? = nil, startDateTime: Date?, endDateTime: Date?) {
        self.keyId = keyId
        self.displayName = displayName
        self.hint = hint
        self.startDateTime = startDateTime
        self.endDateTime = endDateTime
    }

    /// "keyId … ('name')", for log lines.
    var label: String {
        "keyId \(keyId) ('\(displayName ?? "no name")')"
    }
}

/// A client secret just created: its metadata and its value, shown once by Graph.
struct NewPasswordCredential: Sendable {
    /// The metadata.
    var credential: PasswordCredential
    /// The value.
    var secret: Secret
}

/// A directory object Graph lists, such as an owner of an application: a service principal (with
/// its `appId`) or a user.
struct DirectoryObject: Sendable, Equatable, Decodable {
    /// `#microsoft.graph.servicePrincipal`, `#microsoft.graph.user`, …
    var type: String?
    /// Its object id.
    var id: String
    /// A service principal's application id.
    var appId: String?

    enum CodingKeys: String, CodingKey {
        case type = "@odata.type"
        case id
        case appId
    }

}
