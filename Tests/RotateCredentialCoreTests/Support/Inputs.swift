@testable import RotateCredentialCore

extension ConfigurationLoader {
    /// Reads `environment` and checks it against the requirements of the action it names, as a
    /// run of the task's own actions does.
    static func load(environment: [String: String]) throws(InputErrors) -> Configuration {
        try ActionRegistry.standard.load(environment: environment).0
    }
}
