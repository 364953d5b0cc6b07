/// The authorization code flow with PKCE and a loopback redirect, as `az login` does, for
/// workstations whose tenant blocks the device code by Conditional Access: listen on 127.0.0.1
/// (any port: RFC 8252 7.3; Entra allows loopback redirect URIs, "Redirect URI (reply URL)
/// restrictions"), print the URL to open, take the code from the redirect, check `state`, and
/// redeem the code with the PKCE verifier (RFC 7636).
struct BrowserSignIn: Sendable {
    /// How long the browser has to come back.
    static let timeoutSeconds = 300.0

    let entra: EntraUserTokenClient
    let tenant: String
    let client: String
    let context: ActionContext
    let listener: any RedirectListener

    func run() async throws -> EntraUserTokenClient.UserTokens {
        let key = ProofKey()
        let state = ProofKey.state()
        let url = entra.authorizationURL(
            tenant: tenant, client: client, redirectURI: listener.redirectURI, challenge: key.challenge, state: state)
        context.output.warning(
            "To sign in as the PAT owner, open this URL in a browser on this machine (waiting \(Int(Self.timeoutSeconds / 60)) minutes): \(url.absoluteString)"
        )
        var progress = WaitProgress(
            clock: context.clock, output: context.output, waitingFor: "the browser to come back with the sign-in",
            atMostSeconds: Self.timeoutSeconds)
        let answer = try await listener.waitForRedirect(
            timeoutSeconds: Self.timeoutSeconds, progress: &progress, cancellation: context.cancellation)
        guard answer["state"] == state else { throw PatOwnerSessionFailure.redirectStateMismatch }
        if let error = answer["error"] {
            throw PatOwnerSessionFailure.signInDeclined(
                [error, answer["error_description"]].compactMap { $0 }.joined(separator: ": "))
        }
        guard let code = answer["code"], !code.isEmpty else {
            throw PatOwnerSessionFailure.signInDeclined("the redirect carried no code")
        }
        return try await entra.redeem(
            code: context.services.http.masker.adopt(code), verifier: key.verifier, redirectURI: listener.redirectURI,
            tenant: tenant, client: client)
    }
}
