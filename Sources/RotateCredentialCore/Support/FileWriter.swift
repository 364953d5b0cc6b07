#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes the task's files (report, summary). Files are created owner-only (0600) and never hold a
/// secret: callers write through ``TaskFiles``, which scrubs every text first.
public protocol FileWriter: Sendable {
    /// Writes `data` to `path`, replacing the file there, readable by the owner only.
    func write(_ data: Data, to path: String) throws
}

/// Why a file could not be written, in words (never a raw `NSError` dump).
struct FileWriteFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    let reason: String

    /// Creates a failure.
    init(_ reason: String) {
        self.reason = reason
    }

    var description: String { reason }

    /// A failure named by the system error `code` while doing `what`.
    static func system(_ code: Int32, _ what: String) -> FileWriteFailure {
        FileWriteFailure("\(what): \(String(cString: strerror(code)))")
    }

    /// The reason of any error a writer throws.
    static func describe(_ error: any Error) -> String {
        (error as? FileWriteFailure)?.reason ?? String(describing: error)
    }
}

/// Writes to the local file system atomically: the data goes to a new temporary file in the same
/// directory, which is then renamed over `path`. Nothing but that temporary file is ever removed,
/// and an existing directory at `path` is refused, never replaced.
public struct LocalFileWriter: FileWriter {
    /// Creates a writer.
    public init() {}

    public func write(_ data: Data, to path: String) throws {
        let manager = FileManager.default
        if FilePaths.isDirectory(path) == true {
            throw FileWriteFailure("'\(path)' is a directory; it was left as it is")
        }
        let directory = FilePaths.parent(path)
        if !directory.isEmpty, !manager.fileExists(atPath: directory) {
            do {
                try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw FileWriteFailure("the directory '\(directory)' could not be created")
            }
        }
        let name = FilePaths.name(path)
        let temporary = FilePaths.join(directory.isEmpty ? "." : directory, ".\(name).\(UUID().uuidString).tmp")
        try Self.writeNew(data, to: temporary)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileWriteFailure.system(code, "'\(path)' could not be replaced")
        }
    }

    /// Creates `path` (which must not exist) with mode 0600 and writes `data` to disk.
    private static func writeNew(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileWriteFailure.system(errno, "'\(path)' could not be created") }
        var failure: Int32 = 0
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, failure == 0 {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno != EINTR { failure = errno } else if written > 0 { offset += written }
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if failure != 0 {
            unlink(path)
            throw FileWriteFailure.system(failure, "'\(path)' could not be written")
        }
    }
}

#if canImport(Glibc)
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    private let systemWrite = Darwin.write
#endif
