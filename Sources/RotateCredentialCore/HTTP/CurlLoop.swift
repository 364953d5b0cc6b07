import CCurl
import CurlShim
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One thread that drives every transfer through a libcurl multi handle.
///
/// The multi handle keeps the connections (reused across requests to a host, HTTP/2 streams
/// multiplexed on one); a share handle keeps TLS sessions and DNS answers. Callers hand in
/// configured transfers and cancellations under a lock and wake the thread; from then on only
/// the thread touches the handles, and it closes each one before handing back the outcome. A cancelled transfer is removed at once, so nothing is left in flight, and
/// ``stop()`` ends every transfer and the thread before the process exits.
final class CurlLoop: @unchecked Sendable {
    private struct Inbox {
        var started: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let share: UnsafeMutableRawPointer?
    private let inbox = Mutex(Inbox())
    /// Transfers in the multi handle, by easy handle. Loop thread only.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private let thread = Mutex<pthread_t?>(nil)

    init() {
        multi = rc_multi_init()!
        // Enough idle connections for every service at the default parallelism, and a bound on
        // the memory they hold (by default the cache grows with the number of transfers).
        _ = rc_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 32)
        share = rc_share_init()
        if let share {
            _ = rc_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
            _ = rc_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue))
        }
        #if canImport(Glibc)
            var handle = pthread_t()
        #else
            var handle: pthread_t?
        #endif
        if pthread_create(&handle, nil, curlLoopEntry, Unmanaged.passRetained(self).toOpaque()) == 0 {
            thread.withLock { $0 = handle }
        }
    }

    /// Runs `transfer` to its end. Cancelling the calling task aborts it.
    func run(_ transfer: CurlTransfer) async -> CurlTransfer.Outcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                let accepted = inbox.withLock { inbox in
                    if inbox.stopping { return false }
                    inbox.started.append(transfer)
                    return true
                }
                if accepted {
                    rc_multi_wakeup(multi)
                } else {
                    finish(
                        transfer, .failure(TransportFailure.error(.cancelled, message: "", context: transfer.context)))
                }
            }
        } onCancel: {
            inbox.withLock { $0.cancelled.append(transfer) }
            rc_multi_wakeup(multi)
        }
    }

    /// Ends every transfer, stops the thread and waits for it.
    func stop() {
        inbox.withLock { $0.stopping = true }
        rc_multi_wakeup(multi)
        if let handle = thread.withLock({ value -> pthread_t? in
            defer { value = nil }
            return value
        }) {
            pthread_join(handle, nil)
        }
    }

    /// The thread's body.
    fileprivate func loop() {
        var running: Int32 = 0
        while true {
            let inbox = self.inbox.withLock { inbox -> Inbox in
                defer {
                    inbox.started = []
                    inbox.cancelled = []
                }
                return inbox
            }
            inbox.started.forEach(start)
            inbox.cancelled.forEach(cancel)
            if inbox.stopping { break }
            _ = rc_multi_perform(multi, &running)
            collectFinished()
            _ = rc_multi_poll(multi, 1000)
        }
        active.values.forEach(cancel)
        rc_multi_cleanup(multi)
        if let share { rc_share_cleanup(share) }
    }

    private func start(_ transfer: CurlTransfer) {
        guard !transfer.cancelRequested else {
            return finish(
                transfer, .failure(TransportFailure.error(.cancelled, message: "", context: transfer.context)))
        }
        // The share handle has no locks: only this thread may attach, use and detach it.
        if let share { _ = rc_easy_setopt_pointer(transfer.easy, CURLOPT_SHARE, share) }
        active[transfer.easy] = transfer
        rc_multi_add_handle(multi, transfer.easy)
    }

    private func cancel(_ transfer: CurlTransfer) {
        guard active.removeValue(forKey: transfer.easy) != nil else {
            transfer.cancelRequested = true
            return
        }
        rc_multi_remove_handle(multi, transfer.easy)
        finish(transfer, .failure(TransportFailure.error(.cancelled, message: "", context: transfer.context)))
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = rc_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let transfer = active.removeValue(forKey: easy)
            else { continue }
            let code = message.pointee.data.result
            rc_multi_remove_handle(multi, easy)
            finish(transfer, transfer.outcome(code))
        }
    }

    private func finish(_ transfer: CurlTransfer, _ outcome: CurlTransfer.Outcome) {
        transfer.close()
        transfer.continuation?.resume(returning: outcome)
        transfer.continuation = nil
    }
}

#if canImport(Glibc)
    private func curlLoopEntry(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        guard let context else { return nil }
        Unmanaged<CurlLoop>.fromOpaque(context).takeRetainedValue().loop()
        return nil
    }
#else
    private func curlLoopEntry(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        Unmanaged<CurlLoop>.fromOpaque(context).takeRetainedValue().loop()
        return nil
    }
#endif
