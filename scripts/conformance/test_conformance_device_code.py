"""Conformance of the emulator's interactive sign-ins (azemu/entra_interactive.py) with msal's
PublicClientApplication: the device flow (initiate_device_flow / acquire_token_by_device_flow, including
authorization_pending while the "user" has not approved yet), refresh tokens (acquire_token_by_refresh_token,
rotation, inactivity expiry), and the authorization code flow with PKCE (initiate_auth_code_flow /
acquire_token_by_auth_code_flow; acquire_token_interactive needs a browser, so the test plays the browser:
a GET of the auth URI answers 302 to the loopback redirect_uri with the code).
Run with scripts/conformance/run.sh."""

import os
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import BOT_USER, PAT_CLIENT_ID, TENANT_ID  # noqa: E402
from conformance_support import trusted_emulator  # noqa: E402

import msal  # noqa: E402

ADO = "499b84ac-1321-427f-aa17-267ca6975798/.default"


class PublicClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = trusted_emulator()

    def setUp(self):
        self.emu.reset()
        self.emu._control("POST", "/interactive", {"interval": 1})

    def pca(self):
        return msal.PublicClientApplication(
            PAT_CLIENT_ID, authority=f"{self.emu.base_url}/login/{TENANT_ID}", validate_authority=False,
            instance_discovery=False, verify=self.emu.ca_file, token_cache=msal.TokenCache())

    def device_sign_in(self, app) -> dict:
        flow = app.initiate_device_flow(scopes=[ADO])
        self.assertIn("user_code", flow, flow)
        self.assertIn(flow["user_code"], flow["message"])

        def approve_later():
            time.sleep(1.5)  # msal polls at least once and gets authorization_pending
            self.emu._control("POST", "/devicecode/approve", {"userCode": flow["user_code"], "username": BOT_USER})

        threading.Thread(target=approve_later, daemon=True).start()
        return app.acquire_token_by_device_flow(flow)

    def test_device_flow_then_refresh_token_rotation(self):
        app = self.pca()
        result = self.device_sign_in(app)
        self.assertIn("access_token", result, result)
        first = result["refresh_token"]
        again = app.acquire_token_by_refresh_token(first, scopes=[ADO])
        self.assertIn("access_token", again, again)
        self.assertNotEqual(again["refresh_token"], first)
        self.assertIn("access_token", app.acquire_token_by_refresh_token(first, scopes=[ADO]), "old one stays valid")
        polls = [r for r in self.emu.requests() if r["path"].endswith("/oauth2/v2.0/token")]
        self.assertIn(400, [r["status"] for r in polls], "authorization_pending was answered")

    def test_denied_device_flow_and_expired_refresh_token(self):
        app = self.pca()
        flow = app.initiate_device_flow(scopes=[ADO])
        self.emu._control("POST", "/devicecode/deny", {"userCode": flow["user_code"]})
        denied = app.acquire_token_by_device_flow(flow)
        self.assertEqual(denied.get("error"), "authorization_declined", denied)
        rt = self.device_sign_in(app)["refresh_token"]
        self.emu._control("POST", "/clock", {"offsetSeconds": 91 * 86400})
        expired = app.acquire_token_by_refresh_token(rt, scopes=[ADO])
        self.assertEqual((expired.get("error"), expired.get("error_codes")), ("invalid_grant", [700082]), expired)

    def test_auth_code_flow_with_pkce_and_loopback_redirect(self):
        app = self.pca()
        flow = app.initiate_auth_code_flow(scopes=[ADO], redirect_uri="http://127.0.0.1:53123/", login_hint=BOT_USER)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(flow["auth_uri"]).query))
        self.assertEqual(query["code_challenge_method"], "S256")
        status, headers, _ = self.emu.request("GET", flow["auth_uri"])
        self.assertEqual(status, 302)
        answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))
        result = app.acquire_token_by_auth_code_flow(flow, answer)
        self.assertIn("access_token", result, result)
        self.assertIn("refresh_token", result)


if __name__ == "__main__":
    unittest.main()
