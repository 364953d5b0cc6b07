/// The task's version; `task.json` and `vss-extension.json` carry the same (a test checks).
enum Version {
    /// Semantic version.
    static let current = "1.0.0"
}
