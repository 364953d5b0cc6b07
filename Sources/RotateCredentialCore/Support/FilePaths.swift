/// POSIX path arithmetic on strings, and what is at a path.
enum FilePaths {
    /// `true` for a directory, `false` for anything else that exists, `nil` when nothing is there
    /// (symbolic links are followed).
    static func isDirectory(_ path: String) -> Bool? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        guard attributes[.type] as? FileAttributeType == .typeSymbolicLink else {
            return attributes[.type] as? FileAttributeType == .typeDirectory
        }
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return nil }
        return isDirectory(target.hasPrefix("/") ? target : join(parent(path), target))
    }

    /// `path` with `.` and `..` resolved and repeated or trailing slashes removed (no file system access).
    static func standardized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part != ".." || !path.hasPrefix("/") {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// `directory/name`, with exactly one slash between them.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The last component of `path`: `a.json` for `/tmp/a.json`.
    static func name(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        return String(trimmed.split(separator: "/").last ?? trimmed)
    }

    /// The directory part of `path`: `""` for a bare name, `"/"` for a file in the root.
    static func parent(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
