"""Entra sign-ins with a user at a browser: the device authorization grant, the authorization code flow
with PKCE and a loopback redirect, and the refresh-token grant with rotation, inactivity expiry,
revocation and policy errors.

Follows (the docs these behaviours come from):
- Device code: Microsoft identity platform "OAuth 2.0 device authorization grant"
  (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code; MicrosoftDocs/entra-docs
  docs/identity-platform/v2-oauth2-device-code.md) and RFC 8628: `POST /{tenant}/oauth2/v2.0/devicecode`
  (client_id, scope) -> device_code, user_code, verification_uri, expires_in (default 900), interval,
  message; poll the token endpoint with grant_type urn:ietf:params:oauth:grant-type:device_code. Errors
  while polling: authorization_pending (AADSTS70016), slow_down (RFC 8628 3.5: add 5 s to the interval),
  expired_token (AADSTS70019 CodeExpired), authorization_declined (Entra's name; RFC 8628 says
  access_denied; the deny control picks either), bad_verification_code (AADSTS70018).
- Authorization code + PKCE: ".../v2-oauth2-auth-code-flow" and RFC 7636 (code_challenge =
  BASE64URL(SHA256(code_verifier)), method S256); loopback redirect URIs may use any port (RFC 8252 7.3;
  Entra "Redirect URI (reply URL) restrictions": http://localhost / 127.0.0.1 exceptions). A wrong verifier
  is invalid_grant AADSTS501481; a redeemed code is invalid_grant AADSTS54005.
- Refresh tokens: ".../refresh-tokens": 90 days lifetime; "Refresh tokens replace themselves with a fresh
  token upon every use. The Microsoft identity platform doesn't revoke old refresh tokens when used to fetch
  new access tokens." Errors (".../reference-error-codes"): AADSTS700082 expired through inactivity,
  AADSTS50173 FreshTokenNeeded (revoked), AADSTS50133 session invalid after a password change, AADSTS70043
  sign-in frequency, AADSTS50076 / AADSTS50079 MFA required / enrolment required (interaction_required),
  AADSTS65001 consent missing.

The scripted "browser" of the tests: `POST /_emulator/devicecode/approve {"userCode": ...}` (or /deny), and a
plain GET of the authorize URL, which answers 302 to the loopback redirect_uri with the code (signed in as
`login_hint`, else the configured `browserUser`, else the fixture's first user).
"""

from __future__ import annotations

import base64
import hashlib
import secrets as pysecrets
import urllib.parse

from .clock import iso7, now
from .responses import Resp, aad_error
from .util import b64url

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GRANTS = (DEVICE_CODE_GRANT, "authorization_code")
USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
VERIFICATION_URI = "https://microsoft.com/devicelogin"
REFRESH_LIFETIME = 90 * 86400

# error, text for every refresh-token error the controls can arm (reference-error-codes.md).
REFRESH_ERRORS = {
    700082: ("invalid_grant", "The refresh token has expired due to inactivity. The token was issued on {issued} "
                              "and was inactive for 90.00:00:00."),
    50173: ("invalid_grant", "The provided grant has expired due to it being revoked, a fresh auth token is needed. "
                             "The user might have changed or reset their password. The grant was issued on "
                             "'{issued}' and the TokensValidFrom date (before which tokens are not valid) for this "
                             "user is '{now}'."),
    50133: ("invalid_grant", "Session is invalid due to expiration or recent password change."),
    70043: ("invalid_grant", "The refresh token has expired or is invalid due to sign-in frequency checks by "
                             "conditional access. The token was issued on {issued} and the maximum allowed "
                             "lifetime for this request is 28800."),
    50076: ("interaction_required", "Due to a configuration change made by your administrator, or because you "
                                    "moved to a new location, you must use multi-factor authentication to access "
                                    "'499b84ac-1321-427f-aa17-267ca6975798'."),
    50079: ("interaction_required", "Due to a configuration change made by your administrator, or because you "
                                    "moved to a new location, you must enroll in multi-factor authentication to "
                                    "access '499b84ac-1321-427f-aa17-267ca6975798'."),
    65001: ("invalid_grant", "The user or administrator has not consented to use the application with ID "
                             "'{client}'. Send an interactive authorization request for this user and resource."),
}
REVOKING = {50173, 50133, 700082}


def store(st) -> dict:
    """This module's part of the state (reset with the fixture: `State.load` sets `sign_in = {}`)."""
    sign_in = st.sign_in
    for key, default in (("deviceCodes", {}), ("authCodes", {}), ("refreshErrors", {}),
                         ("settings", {"interval": 5, "expiresIn": 900, "browserUser": None, "slowDown": 0})):
        sign_in.setdefault(key, default)
    return sign_in


def is_interactive_path(parts: list[str]) -> bool:
    """/login/{tenant}/oauth2/v2.0/devicecode or /authorize."""
    return len(parts) == 5 and parts[2:4] == ["oauth2", "v2.0"] and parts[4] in ("devicecode", "authorize")


def _user(st, name: str | None) -> dict | None:
    if name:
        return st.users.get(name.lower())
    return next(iter(st.users.values()), None)


# ---------------------------------------------------------------- endpoints
def endpoint(entra, method: str, parts: list[str], query: dict, form: dict) -> Resp:
    tenant = urllib.parse.unquote(parts[1]).lower()
    err = entra._check_tenant_and_grant(tenant, "refresh_token")  # tenant check only
    if err:
        return err
    if parts[4] == "devicecode":
        if method != "POST":
            return aad_error(405, "invalid_request", 900561, "The endpoint only accepts POST requests.")
        return _device_code(entra, form)
    if method not in ("GET", "POST"):
        return aad_error(405, "invalid_request", 900561, "The endpoint only accepts GET and POST requests.")
    return _authorize(entra, {**query, **form})


def _public_app(entra, client_id: str | None) -> tuple[dict | None, Resp | None]:
    st = entra.s
    if not client_id:
        return None, aad_error(400, "invalid_request", 900144,
                               "The request body must contain the following parameter: 'client_id'.")
    app = st.apps.get(client_id.lower())
    if not app:
        return None, aad_error(400, "unauthorized_client", 700016,
                               f"Application with identifier '{client_id}' was not found in the directory "
                               f"'{st.tenant.get('domain', st.tenant['id'])}'.")
    if not app.get("publicClient"):
        # "Allow public client flows" off: Entra asks for a client credential.
        return None, aad_error(401, "invalid_client", 7000218, "The request body must contain the following "
                               "parameter: 'client_assertion' or 'client_secret'.")
    return app, None


def _device_code(entra, form: dict) -> Resp:
    st = entra.s
    app, err = _public_app(entra, form.get("client_id"))
    if err:
        return err
    resource, err = entra._resource(form)
    if err or (err := entra.delegation_error(app, resource)):
        return err
    cfg = store(st)["settings"]
    device_code = "DAQABIQEAAAB" + b64url(pysecrets.token_bytes(120))
    user_code = "".join(pysecrets.choice(USER_CODE_ALPHABET) for _ in range(9))
    st.remember(device_code)  # the device code is the poller's credential; the user code is meant to be shown
    store(st)["deviceCodes"][device_code] = {
        "userCode": user_code, "appId": app["appId"], "resource": resource,
        "offline": "offline_access" in form.get("scope", "").split(), "exp": now() + cfg["expiresIn"],
        "status": "pending", "username": None, "error": None, "slowDown": int(cfg.get("slowDown") or 0)}
    return Resp(200, {"user_code": user_code, "device_code": device_code, "verification_uri": VERIFICATION_URI,
                      "expires_in": int(cfg["expiresIn"]), "interval": int(cfg["interval"]),
                      "message": f"To sign in, use a web browser to open the page {VERIFICATION_URI} and enter "
                                 f"the code {user_code} to authenticate."})


def _loopback(uri: str) -> bool:
    u = urllib.parse.urlsplit(uri)
    return u.scheme == "http" and (u.hostname or "") in ("127.0.0.1", "localhost", "::1")


def _authorize(entra, q: dict) -> Resp:
    """The browser's visit: the user is signed in already, consents, and is sent back with a code."""
    st = entra.s
    app, err = _public_app(entra, q.get("client_id"))
    if err:
        return err
    redirect = q.get("redirect_uri") or ""
    if not (_loopback(redirect) or redirect in app.get("redirectUris", [])):
        return aad_error(400, "invalid_request", 50011, f"The redirect URI '{redirect}' specified in the request "
                         f"does not match the redirect URIs configured for the application '{app['appId']}'.")
    if q.get("response_type") != "code":
        return aad_error(400, "unsupported_response_type", 70005, "The response_type must be 'code'.")
    resource, err = entra._resource(q)
    if err or (err := entra.delegation_error(app, resource)):
        return err
    if q.get("code_challenge") and q.get("code_challenge_method", "plain") not in ("S256", "plain"):
        return aad_error(400, "invalid_request", 50027, "Invalid code_challenge_method.")
    user = _user(st, q.get("login_hint") or store(st)["settings"].get("browserUser"))
    back = {"state": q["state"]} if "state" in q else {}
    if user is None:
        back.update(error="access_denied", error_description="AADSTS50034: The user account does not exist.")
    else:
        code = "1.AQ" + b64url(pysecrets.token_bytes(96))
        st.remember(code)
        store(st)["authCodes"][code] = {
            "appId": app["appId"], "redirectUri": redirect, "resource": resource,
            "offline": "offline_access" in q.get("scope", "").split(), "username": user["username"],
            "challenge": q.get("code_challenge"), "method": q.get("code_challenge_method", "plain"),
            "exp": now() + 600, "used": False}
        back = {"code": code, **back, "session_state": pysecrets.token_hex(16)}
    sep = "&" if urllib.parse.urlsplit(redirect).query else "?"
    return Resp(302, None, {"Location": redirect + sep + urllib.parse.urlencode(back)})


# ---------------------------------------------------------------- token endpoint grants
def grant(entra, app: dict, grant_type: str, form: dict) -> Resp:
    if not app.get("publicClient"):
        return aad_error(401, "invalid_client", 7000218, "The request body must contain the following parameter: "
                         "'client_assertion' or 'client_secret'.")
    if grant_type == DEVICE_CODE_GRANT:
        return _poll(entra, app, form)
    return _redeem_code(entra, app, form)


def _poll(entra, app: dict, form: dict) -> Resp:
    st = entra.s
    dc = store(st)["deviceCodes"].get(form.get("device_code", ""))
    if not dc or dc["appId"].lower() != app["appId"].lower():
        return aad_error(400, "bad_verification_code", 70018, "The device code was not recognized.")
    if dc["exp"] <= now():
        return aad_error(400, "expired_token", 70019, "Verification code expired.")
    if dc["status"] == "denied":
        return aad_error(400, dc["error"] or "authorization_declined", 70000,
                         "The end user denied the authorization request.")
    if dc["status"] == "redeemed":
        return aad_error(400, "invalid_grant", 54005, "The device code was already redeemed.")
    if dc["slowDown"] > 0:
        dc["slowDown"] -= 1
        return aad_error(400, "slow_down", 70016, "Polling too fast: add 5 seconds to the interval.")
    if dc["status"] == "pending":
        return aad_error(400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is "
                         "pending. Continue polling.")
    dc["status"] = "redeemed"
    user = _user(st, dc["username"])
    return Resp(200, entra.issue_token(entra.resource_kind(dc["resource"]), dc["resource"], "user", app, user,
                                       refresh=dc["offline"]))


def _redeem_code(entra, app: dict, form: dict) -> Resp:
    st = entra.s
    ac = store(st)["authCodes"].get(form.get("code", ""))
    if not ac or ac["appId"].lower() != app["appId"].lower() or ac["exp"] <= now():
        return aad_error(400, "invalid_grant", 70008, "The provided authorization code or refresh token has "
                         "expired due to inactivity. Send a new interactive authorization request.")
    if ac["used"]:
        return aad_error(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please "
                         "retry with a new valid code or use an existing refresh token.")
    if form.get("redirect_uri") != ac["redirectUri"]:
        return aad_error(400, "invalid_grant", 50011, "The redirect URI does not match the one the code was "
                         "issued for.")
    if ac["challenge"]:
        verifier = form.get("code_verifier") or ""
        expected = verifier if ac["method"] == "plain" else \
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not pysecrets.compare_digest(expected, ac["challenge"]):
            return aad_error(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge "
                             "supplied in the authorization request.")
    ac["used"] = True
    user = _user(st, ac["username"])
    return Resp(200, entra.issue_token(entra.resource_kind(ac["resource"]), ac["resource"], "user", app, user,
                                       refresh=ac["offline"]))


def refresh(entra, app: dict, form: dict) -> Resp:
    """grant_type=refresh_token: a new access token and a NEW refresh token; the old one stays valid."""
    st = entra.s
    rt = st.refresh_tokens.get(form.get("refresh_token", ""))
    if not rt or rt["appId"].lower() != app["appId"].lower():
        return aad_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    issued = iso7(rt.get("iat", now()))
    username = (rt.get("username") or "").lower()
    errors = store(st)["refreshErrors"]
    code = rt.get("revoked") or errors.get(username) or errors.get("*")
    if code is None and rt["exp"] <= now():
        code = 700082
    if code is not None:
        error, text = REFRESH_ERRORS[code]
        return aad_error(400, error, code, text.format(issued=issued, now=iso7(now()), client=app["appId"]))
    resource = rt["resource"]
    if form.get("scope"):
        resource, err = entra._resource(form)
        if err or (err := entra.delegation_error(app, resource)):
            return err
    user = st.users.get(username)
    out = entra.issue_token(entra.resource_kind(resource), resource, "user", app, user, refresh=True)
    return Resp(200, entra.with_identity(out, app, user, form) if user else out)


# ---------------------------------------------------------------- control routes (/_emulator/...)
def _approve(st, req) -> Resp:
    return _decide(st, req, "approved")


def _deny(st, req) -> Resp:
    return _decide(st, req, "denied")


def _decide(st, req, status: str) -> Resp:
    req = req if isinstance(req, dict) else {}
    code = (req.get("userCode") or "").strip().upper()
    dc = next((d for d in store(st)["deviceCodes"].values() if d["userCode"] == code), None)
    if dc is None:
        return Resp(404, {"error": f"no device code with user code {code!r}"})
    user = _user(st, req.get("username") or store(st)["settings"].get("browserUser"))
    if status == "approved" and user is None:
        return Resp(400, {"error": f"unknown user {req.get('username')!r}"})
    dc.update(status=status, username=user["username"] if user else None,
              error=req.get("error") if status == "denied" else None)
    return Resp(200, {"ok": True, "status": status, "username": dc["username"]})


def _device_codes(st, req) -> Resp:
    return Resp(200, [{"userCode": d["userCode"], "appId": d["appId"], "status": d["status"],
                       "username": d["username"], "expires": iso7(d["exp"])}
                      for d in store(st)["deviceCodes"].values()])


def _settings(st, req) -> Resp:
    req = req if isinstance(req, dict) else {}
    cfg = store(st)["settings"]
    unknown = set(req) - set(cfg)
    if unknown:
        return Resp(400, {"error": f"unknown keys {sorted(unknown)}; known: {sorted(cfg)}"})
    cfg.update(req)
    return Resp(200, cfg)


def _refresh_tokens(st, req) -> Resp:
    """{"username": u (default: every user), "error": code | null}. 50173/50133/700082 end the refresh tokens
    issued so far (a new sign-in gets working ones); the other codes answer every redemption until cleared."""
    req = req if isinstance(req, dict) else {}
    code, user = req.get("error"), (req.get("username") or "*").lower()
    if code is not None and code not in REFRESH_ERRORS:
        return Resp(400, {"error": f"error must be one of {sorted(REFRESH_ERRORS)} or null"})
    if code in REVOKING:
        for rt in st.refresh_tokens.values():
            if user == "*" or (rt.get("username") or "").lower() == user:
                rt["revoked"] = code
    elif code is None:
        store(st)["refreshErrors"].pop(user, None)
    else:
        store(st)["refreshErrors"][user] = code
    return Resp(200, {"ok": True, "refreshErrors": store(st)["refreshErrors"]})


def _refresh_token_list(st, req) -> Resp:
    return Resp(200, [{"username": rt.get("username"), "appId": rt["appId"], "issued": iso7(rt.get("iat", 0)),
                       "expires": iso7(rt["exp"]), "revoked": rt.get("revoked")}
                      for rt in st.refresh_tokens.values()])


CONTROL_ROUTES = {
    ("POST", "/devicecode/approve"): _approve,
    ("POST", "/devicecode/deny"): _deny,
    ("GET", "/devicecodes"): _device_codes,
    ("POST", "/interactive"): _settings,
    ("POST", "/refreshtokens"): _refresh_tokens,
    ("GET", "/refreshtokens"): _refresh_token_list,
}
