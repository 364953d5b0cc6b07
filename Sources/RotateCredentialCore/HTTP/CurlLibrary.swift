import CurlShim

/// libcurl, loaded when the first transport is made rather than when the process starts.
///
/// The binary does not link libcurl: a run that stops at its inputs (or `--help`, `--version`,
/// `--check-inputs`) never maps libcurl, OpenSSL and the ~30 libraries they need, which is most of
/// its start-up time and memory. Where libcurl is missing, every request fails with an error that
/// names the library and the package to install, like any other transport failure.
enum CurlLibrary {
    /// The shared library, by its soname (`libcurl.so.4`; `libcurl.4.dylib` on macOS).
    static let soname = RC_CURL_LIBRARY

    /// Loads libcurl and runs its global set-up, once per process; `nil` when it is ready,
    /// else the error every request fails with.
    static func load() -> TransportError? {
        rc_curl_load().map { unavailable(String(cString: $0)) }
    }

    /// The error for a libcurl that could not be loaded, for `reason` (the loader's message).
    static func unavailable(_ reason: String) -> TransportError {
        TransportError(
            .other, "libcurl (\(soname)) could not be loaded: \(reason)",
            advice:
                "Install libcurl 4 on the agent: on Debian and Ubuntu `apt-get install libcurl4`, on RHEL, AlmaLinux, Rocky Linux and Amazon Linux `dnf install libcurl`."
        )
    }
}
