/// The device authorization grant, polled as the protocol says: show the page and the user code
/// (a warning, so the pipeline's summary shows it too), then poll every `interval` seconds;
/// `authorization_pending` waits, `slow_down` adds 5 seconds to the interval (RFC 8628 3.5),
/// `expired_token` and `access_denied` / `authorization_declined` (Entra's name, v2-oauth2-device-code
/// "Expected errors") stop. The user code is meant to be read; the device code is a secret. The wait
/// (up to the code's lifetime, 15 minutes by default) prints a line at least every 10 s (``WaitProgress``).
struct DeviceCodeSignIn: Sendable {
    let entra: EntraUserTokenClient
    let tenant: String
    let client: String
    let context: ActionContext

    func run() async throws -> EntraUserTokenClient.UserTokens {
        let code = try await entra.startDeviceCode(tenant: tenant, client: client)
        let minutes = max(1, code.expiresIn / 60)
        context.output.warning(
            "To sign in as the PAT owner, open \(code.verificationURI) and enter the code \(code.userCode) (valid for \(minutes) minutes)."
        )
        var interval = Double(max(1, code.interval))
        var wait = WaitProgress(
            clock: context.clock, output: context.output,
            waitingFor: "the PAT owner to sign in with the code \(code.userCode) at \(code.verificationURI)",
            atMostSeconds: Double(code.expiresIn))
        while true {
            try await wait.pause(interval)
            try context.cancellation.check()
            do {
                return try await entra.pollDeviceCode(tenant: tenant, client: client, code)
            } catch {
                switch error.code {
                case "authorization_pending":
                    if wait.elapsed > Double(code.expiresIn) {
                        throw PatOwnerSessionFailure.signInExpired(minutes: minutes)
                    }
                case "slow_down":
                    interval += 5
                case "expired_token":
                    throw PatOwnerSessionFailure.signInExpired(minutes: minutes)
                case "access_denied", "authorization_declined":
                    throw PatOwnerSessionFailure.signInDeclined(error.serviceMessage ?? error.code ?? "declined")
                default:
                    throw error
                }
            }
        }
    }
}
