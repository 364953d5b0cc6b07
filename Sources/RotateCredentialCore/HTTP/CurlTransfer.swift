import CCurl
import CurlShim

/// One request as a libcurl easy handle: its options, the answer as it arrives, and the result.
///
/// Created on the caller's task, then touched only by the ``CurlLoop`` thread until it finishes.
final class CurlTransfer: @unchecked Sendable {
    typealias Outcome = Result<HTTPResponse, TransportError>

    let easy: UnsafeMutableRawPointer
    let context: TransportFailure.Context
    private let limitBytes: Int
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(RC_CURL_ERROR_SIZE))
    private var body: [UInt8] = []
    private var headers: [String: String] = [:]
    private var tooLarge = false
    private var closed = false
    /// Set by the loop when a cancellation arrived before the transfer was started.
    var cancelRequested = false
    /// Resumed exactly once, by the loop.
    var continuation: CheckedContinuation<Outcome, Never>?

    /// Creates the easy handle for `request`; `nil` when libcurl cannot allocate one.
    init?(context: TransportFailure.Context, limitBytes: Int) {
        guard let easy = rc_easy_init() else { return nil }
        self.easy = easy
        self.context = context
        self.limitBytes = limitBytes
        errorBuffer.initialize(to: 0)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = rc_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = rc_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, curlReceiveBody)
        _ = rc_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)
        _ = rc_easy_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION, curlReceiveHeader)
        _ = rc_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
        _ = rc_easy_setopt_offset(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limitBytes))
    }

    deinit {
        close()
        errorBuffer.deallocate()
    }

    /// Frees the easy handle and the header list; called once the outcome is known.
    func close() {
        guard !closed else { return }
        closed = true
        rc_easy_cleanup(easy)
        rc_slist_free_all(headerList)
    }

    /// Sets the request line, headers and body.
    func setRequest(_ request: HTTPRequest, requestId: String) {
        _ = rc_easy_setopt_pointer(easy, CURLOPT_URL, request.url.absoluteString)
        var lines = ["x-ms-client-request-id: \(requestId)", "Expect:"]
        lines += request.headers.sorted { $0.key < $1.key }
            .filter { !($0.key + $0.value).contains(where: { $0 == "\r" || $0 == "\n" }) }
            .map { "\($0.key): \($0.value)" }
        for line in lines {
            headerList = rc_slist_append(headerList, line)
        }
        _ = rc_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, headerList)
        if request.method == .get, request.body == nil {
            _ = rc_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
            return
        }
        if request.method != .post {
            _ = rc_easy_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        guard request.body != nil || request.method == .post || request.method == .put || request.method == .patch
        else { return }
        let bytes = [UInt8](request.body ?? Data())
        _ = rc_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, bytes.count)
        bytes.withUnsafeBytes {
            _ = rc_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress ?? UnsafeRawPointer(errorBuffer))
        }
    }

    /// Called by libcurl with a piece of the body; returning less than given aborts the transfer.
    fileprivate func receive(_ piece: UnsafeRawBufferPointer) -> Int {
        guard body.count + piece.count <= limitBytes else {
            tooLarge = true
            return 0
        }
        body.append(contentsOf: piece)
        return piece.count
    }

    /// Called by libcurl with one header line. A status line starts a new set (a proxy's
    /// `CONNECT` answer or an interim 1xx comes before the final response).
    fileprivate func receiveHeader(_ line: UnsafeRawBufferPointer) {
        var text = String(decoding: line, as: UTF8.self)
        // "\r\n" is one Character in Swift: test for line breaks, not for "\r" and "\n" apart.
        while let last = text.last, last.isNewline { text.removeLast() }
        if text.hasPrefix("HTTP/") {
            headers = [:]
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        let value = text[text.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        headers[name] = headers[name].map { "\($0), \(value)" } ?? String(value)
    }

    /// The result once libcurl reported `code` for this transfer.
    func outcome(_ code: CURLcode) -> Outcome {
        if code == CURLE_OK {
            var status = 0
            _ = rc_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPResponse(status: status, headers: headers, body: Data(body)))
        }
        var message = String(cString: errorBuffer)
        if message.isEmpty { message = String(cString: rc_easy_strerror(code)) }
        // TLS 1.3 servers reject a missing client certificate after the handshake, with an alert.
        let kind = message.contains("certificate required") ? .clientCertificate : kind(code)
        return .failure(TransportFailure.error(kind, message: message, context: context))
    }

    private func kind(_ code: CURLcode) -> TransportFailure.Kind {
        var connectCode = 0
        _ = rc_easy_getinfo_long(easy, CURLINFO_HTTP_CONNECTCODE, &connectCode)
        if connectCode >= 300 { return .proxyRefused(connectCode) }
        if tooLarge || code == CURLE_FILESIZE_EXCEEDED { return .tooLarge(limitBytes: limitBytes) }
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST: return .resolveHost
        case CURLE_COULDNT_RESOLVE_PROXY: return .resolveProxy
        case CURLE_COULDNT_CONNECT: return .connect
        case CURLE_OPERATION_TIMEDOUT:
            var pretransfer: curl_off_t = 0
            _ = rc_easy_getinfo_offset(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer)
            return .timeout(sent: pretransfer > 0)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_INVALIDCERTSTATUS:
            return .untrustedCertificate
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CLIENTCERT: return .clientCertificate
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED:
            return .tlsHandshake
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM,
            CURLE_WEIRD_SERVER_REPLY:
            return .connectionLost
        case CURLE_ABORTED_BY_CALLBACK: return .cancelled
        default: return .other(code: Int(code.rawValue))
        }
    }
}

private let curlReceiveBody: curl_write_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receive(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let curlReceiveHeader: curl_write_callback = { data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}
