import Foundation
import Testing

@testable import RotateCredentialCore

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP port that accepts connections and never answers (the kernel's backlog accepts them).
final class SilentListener {
    let port: Int
    private let socketDescriptor: Int32

    init() throws {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw CancellationError()
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        socketDescriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socketDescriptor) }
}

@Suite struct CurlTransportTests {
    @Test func libcurlLoadsOnceAndAMissingOneIsNamedWithItsPackage() {
        #expect(CurlLibrary.load() == nil)
        #expect(CurlLibrary.load() == nil)
        let error = CurlLibrary.unavailable("libcurl.so.4: cannot open shared object file: No such file or directory")
        #expect(error.reason == .other)
        #expect(error.detail.hasPrefix("libcurl (\(CurlLibrary.soname)) could not be loaded: libcurl.so.4:"))
        #expect(error.advice?.contains("apt-get install libcurl4") == true)
        #expect(error.advice?.contains("dnf install libcurl") == true)
    }

    @Test func cancellingTheCallerEndsTheTransferAtOnce() async throws {
        let listener = try SilentListener()
        let transport = CurlTransport(settings: HTTPSettings(requestTimeoutSeconds: 60))
        defer { transport.stop() }
        let request = Self.request(to: listener)
        let started = ContinuousClock.now
        let task = Self.sending(request, over: transport)
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let error = await task.value
        #expect(error?.detail.contains("was cancelled") == true)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aTimeoutNamesTheHostAndSaysTheRequestWentOut() async throws {
        let listener = try SilentListener()
        let transport = CurlTransport(settings: HTTPSettings(requestTimeoutSeconds: 1))
        defer { transport.stop() }
        let request = Self.request(to: listener)
        do throws(TransportError) {
            _ = try await transport.send(request)
            Issue.record("a silent server answered")
        } catch {
            #expect(error.reason == .timedOut)
            #expect(error.detail == "no answer from 127.0.0.1:\(listener.port) within 1 s")
        }
    }

    @Test func stopEndsTransfersInFlight() async throws {
        let listener = try SilentListener()
        let transport = CurlTransport(settings: HTTPSettings(requestTimeoutSeconds: 60))
        let request = Self.request(to: listener)
        let task = Self.sending(request, over: transport)
        try await Task.sleep(for: .milliseconds(200))
        transport.stop()
        #expect(await task.value?.detail.contains("was cancelled") == true)
    }

    /// A GET to the silent listener.
    private static func request(to listener: SilentListener) -> HTTPRequest {
        HTTPRequest(.get, URL(string: "http://127.0.0.1:\(listener.port)/x")!, service: .graph, operation: "test")
    }

    /// Sends `request` in a task whose value is the transport's error, or nil if an answer came.
    private static func sending(_ request: HTTPRequest, over transport: CurlTransport) -> Task<TransportError?, Never> {
        Task {
            do throws(TransportError) {
                _ = try await transport.send(request)
                return nil
            } catch {
                return error
            }
        }
    }
}
