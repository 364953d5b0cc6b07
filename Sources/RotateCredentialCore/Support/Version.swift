/// The task's version; `task.json` and `vss-extension.json` carry the same (a test checks).
public enum Version {
    /// Semantic version.
    public static let current = "1.0.0"
}
