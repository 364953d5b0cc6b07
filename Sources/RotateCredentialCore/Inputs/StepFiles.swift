/// Where one step writes its files. `Agent.TempDirectory` is shared by every step of a job and
/// the summary is uploaded asynchronously, so names carry the step's `SYSTEM_TASKINSTANCEID`.
struct StepFiles: Sendable, Equatable {
    /// The default report path.
    let reportPath: String
    /// The run summary's path.
    let summaryPath: String

    /// Names for the step `taskInstanceId` (nil outside a pipeline) in `temporaryDirectory`.
    init(temporaryDirectory: String, taskInstanceId: String?) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-"))
        let id = taskInstanceId.map { String($0.unicodeScalars.filter(allowed.contains).prefix(64)) } ?? ""
        let suffix = id.isEmpty ? "" : "-" + id.lowercased()
        reportPath = FilePaths.join(temporaryDirectory, "rotate-credential-report\(suffix).json")
        summaryPath = FilePaths.join(temporaryDirectory, "rotate-credential-summary\(suffix).md")
    }

    /// Why `reportPath` cannot receive the report, or nil: it must not be a directory or under
    /// `/dev`, and its nearest existing ancestor must be a directory.
    static func problem(reportPath path: String) -> String? {
        let standardized = FilePaths.standardized(path)
        if standardized == "/dev" || standardized.hasPrefix("/dev/") || path.hasSuffix("/") {
            return
                "'\(path)' is not a place for a file; give the path of a JSON file (its directory is created if missing)."
        }
        if let isDirectory = FilePaths.isDirectory(standardized) {
            return isDirectory ? "'\(path)' is a directory; give the path of a JSON file inside it." : nil
        }
        var ancestor = FilePaths.parent(standardized)
        while !ancestor.isEmpty, FilePaths.isDirectory(ancestor) == nil {
            let parent = FilePaths.parent(ancestor)
            if parent == ancestor { break }
            ancestor = parent
        }
        if !ancestor.isEmpty, FilePaths.isDirectory(ancestor) == false {
            return "'\(path)' cannot be created: '\(ancestor)' is a file, not a directory."
        }
        return nil
    }
}
