import Foundation

/// Where one step writes its files. `Agent.TempDirectory` is shared by every step of a job and
/// the summary is uploaded asynchronously, so names carry the step's `SYSTEM_TASKINSTANCEID`.
public struct StepFiles: Sendable, Equatable {
    /// The default report path.
    public let reportPath: String
    /// The run summary's path.
    public let summaryPath: String

    /// Names for the step `taskInstanceId` (nil outside a pipeline) in `temporaryDirectory`.
    public init(temporaryDirectory: String, taskInstanceId: String?) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-"))
        let id = taskInstanceId.map { String($0.unicodeScalars.filter(allowed.contains).prefix(64)) } ?? ""
        let suffix = id.isEmpty ? "" : "-" + id.lowercased()
        let directory = temporaryDirectory as NSString
        reportPath = directory.appendingPathComponent("rotate-credential-report\(suffix).json")
        summaryPath = directory.appendingPathComponent("rotate-credential-summary\(suffix).md")
    }

    /// Why `reportPath` cannot receive the report, or nil: it must not be a directory or under
    /// `/dev`, and its nearest existing ancestor must be a directory.
    public static func problem(reportPath path: String) -> String? {
        let standardized = (path as NSString).standardizingPath
        if standardized == "/dev" || standardized.hasPrefix("/dev/") || path.hasSuffix("/") {
            return "'\(path)' is not a place for a file; give the path of a JSON file (its directory is created if missing)."
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: standardized, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? "'\(path)' is a directory; give the path of a JSON file inside it." : nil
        }
        var ancestor = (standardized as NSString).deletingLastPathComponent
        while !ancestor.isEmpty, !FileManager.default.fileExists(atPath: ancestor, isDirectory: &isDirectory) {
            let parent = (ancestor as NSString).deletingLastPathComponent
            if parent == ancestor { break }
            ancestor = parent
        }
        if !ancestor.isEmpty, FileManager.default.fileExists(atPath: ancestor, isDirectory: &isDirectory),
            !isDirectory.boolValue
        {
            return "'\(path)' cannot be created: '\(ancestor)' is a file, not a directory."
        }
        return nil
    }
}
