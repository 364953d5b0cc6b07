#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes the task's files (report, summary). Files are created owner-only (0600) and never hold a secret.
public protocol FileWriter: Sendable {
    /// Writes `data` to `path`, replacing it, readable by the owner only.
    func write(_ data: Data, to path: String) throws
}

/// Writes to the local file system.
public struct LocalFileWriter: FileWriter {
    /// Creates a writer.
    public init() {}

    public func write(_ data: Data, to path: String) throws {
        let directory = FilePaths.parent(path)
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let manager = FileManager.default
        if manager.fileExists(atPath: path) { try manager.removeItem(atPath: path) }
        guard manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission)
        }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
