import RotateCredentialCore
import Synchronization

/// Makes the libcurl transports the runner asks for and stops them all before exit, so no
/// transfer is in flight when the process ends.
final class Transports: Sendable {
    private let made = Mutex<[CurlTransport]>([])

    /// A new transport with `settings`.
    func make(_ settings: HTTPSettings) -> any HTTPTransport {
        let transport = CurlTransport(settings: settings)
        made.withLock { $0.append(transport) }
        return transport
    }

    /// Stops every transport made so far.
    func stopAll() {
        for transport in made.withLock({ $0 }) {
            transport.stop()
        }
    }
}
