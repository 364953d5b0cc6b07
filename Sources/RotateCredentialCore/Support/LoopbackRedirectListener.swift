#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Receives the browser's redirect at the end of an interactive sign-in.
protocol RedirectListener: Sendable {
    /// The `redirect_uri` to send to `/authorize`.
    var redirectURI: String { get }
    /// Waits for the request that carries `code` or `error`, answers the browser, and returns the
    /// query's parameters. Other requests (a favicon) get a 404 and the wait goes on. `progress`
    /// measures the wait and reports it.
    func waitForRedirect(timeoutSeconds: Double, progress: inout WaitProgress, cancellation: Cancellation)
        async throws -> [String: String]
    /// Stops listening.
    func close()
}

/// A redirect listener on 127.0.0.1 at a port the system picks (RFC 8252 7.3: loopback redirect
/// URIs use `http`, the IP literal, and any port). One connection at a time; nothing but the
/// query string of the request line is read.
final class LoopbackRedirectListener: RedirectListener, @unchecked Sendable {
    private let socketDescriptor: Int32
    /// The port the system assigned.
    let port: UInt16

    private init(socketDescriptor: Int32, port: UInt16) {
        self.socketDescriptor = socketDescriptor
        self.port = port
    }

    /// Opens a listening socket on 127.0.0.1 (never on other interfaces).
    static func open() throws -> LoopbackRedirectListener {
        #if os(Linux)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw ListenerError("socket() failed (errno \(errno))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 4) == 0
                    && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            _ = systemClose(descriptor)
            throw ListenerError("could not listen on 127.0.0.1 (errno \(errno))")
        }
        return LoopbackRedirectListener(socketDescriptor: descriptor, port: UInt16(bigEndian: address.sin_port))
    }

    var redirectURI: String { "http://127.0.0.1:\(port)/" }

    func waitForRedirect(timeoutSeconds: Double, progress: inout WaitProgress, cancellation: Cancellation)
        async throws -> [String: String]
    {
        while progress.elapsed < timeoutSeconds {
            // Not `try cancellation.check()`: its typed throw inlined here crashes the release compiler
            // (Swift 6.3.1, LLVM CoroSplit, signal 11 in emitSetAndGetSwiftErrorValueAround).
            if let signal = cancellation.requested { throw RunCancelled(signal: signal) }
            if Self.readable(socketDescriptor, milliseconds: 0) {
                if let query = Self.answer(socketDescriptor) { return query }
            } else {
                try await progress.pause(0.1)
            }
        }
        throw ListenerError("no browser came back to \(redirectURI) within \(Int(timeoutSeconds)) seconds")
    }

    /// Accepts one connection and answers it: its query when it carries `code` or `error`, else nil
    /// (a 404, and the wait goes on).
    private static func answer(_ socketDescriptor: Int32) -> [String: String]? {
        let connection = accept(socketDescriptor, nil, nil)
        guard connection >= 0 else { return nil }
        defer { _ = systemClose(connection) }
        let query = query(of: requestLine(connection))
        guard query["code"] != nil || query["error"] != nil else {
            respond(connection, status: "404 Not Found", text: "Not found.")
            return nil
        }
        let signedIn = query["code"] != nil
        respond(
            connection, status: "200 OK",
            text: signedIn
                ? "Signed in. You can close this window and return to rotate-credential."
                : "The sign-in did not complete. See rotate-credential's output.")
        return query
    }

    func close() {
        _ = systemClose(socketDescriptor)
    }

    private static func readable(_ descriptor: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    /// The first line of the request ("GET /?code=…&state=… HTTP/1.1"), read within 5 seconds.
    private static func requestLine(_ connection: Int32) -> String {
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 16_384, !received.contains(10), readable(connection, milliseconds: 5_000) {
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let line = received.split(separator: 10, maxSplits: 1).first.map { String(decoding: $0, as: UTF8.self) }
        return line ?? ""
    }

    static func query(of requestLine: String) -> [String: String] {
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2, let components = URLComponents(string: "http://127.0.0.1" + parts[1]) else {
            return [:]
        }
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }

    private static func respond(_ connection: Int32, status: String, text: String) {
        let body = "<!DOCTYPE html><html><body><p>\(text)</p></body></html>"
        let response =
            "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = Array(response.utf8).withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
    }
}

/// The loopback listener could not listen, or nobody came back.
struct ListenerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

#if canImport(Glibc)
    private let systemClose = Glibc.close
#elseif canImport(Darwin)
    private let systemClose = Darwin.close
#endif
