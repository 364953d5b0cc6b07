"""The emulator's interactive Entra sign-ins (azemu/entra_interactive.py), over raw HTTP: device code with its
polling states, authorization code with PKCE and a loopback redirect, refresh-token rotation, inactivity expiry
on the emulator's clock, revocation and policy errors. Stdlib only."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import unittest
import urllib.parse

from harness import PAT_CLIENT_ID, ROTATION_APP_ID, TENANT_ID, Emulator

ADO_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access"
BOT = "rotation-bot@contoso.onmicrosoft.com"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class InteractiveSignInTest(unittest.TestCase):
    def setUp(self):
        self.emu = Emulator.shared()
        self.emu.reset()

    def post(self, endpoint: str, **form) -> tuple[int, dict]:
        status, _, raw = self.emu.request("POST", f"/login/{TENANT_ID}/oauth2/v2.0/{endpoint}", form=form)
        return status, json.loads(raw)

    def device_code(self, client=PAT_CLIENT_ID) -> dict:
        status, body = self.post("devicecode", client_id=client, scope=ADO_SCOPE)
        self.assertEqual(status, 200, body)
        return body

    def poll(self, dc: dict) -> tuple[int, dict]:
        return self.post("token", grant_type=DEVICE_GRANT, client_id=PAT_CLIENT_ID, device_code=dc["device_code"])

    def signed_in(self) -> dict:
        dc = self.device_code()
        self.emu._control("POST", "/devicecode/approve", {"userCode": dc["user_code"], "username": BOT})
        status, body = self.poll(dc)
        self.assertEqual(status, 200, body)
        return body

    def refresh(self, rt: str) -> tuple[int, dict]:
        return self.post("token", grant_type="refresh_token", client_id=PAT_CLIENT_ID, refresh_token=rt,
                         scope=ADO_SCOPE)

    def test_device_code_states_pending_slow_down_approved_redeemed(self):
        self.emu._control("POST", "/interactive", {"slowDown": 1})
        dc = self.device_code()
        self.assertEqual(set(dc) >= {"user_code", "device_code", "verification_uri", "expires_in", "interval",
                                     "message"}, True)
        self.assertIn(dc["user_code"], dc["message"])
        self.assertEqual(self.poll(dc)[1]["error"], "slow_down")
        status, body = self.poll(dc)
        self.assertEqual((status, body["error"], body["error_codes"]), (400, "authorization_pending", [70016]))
        self.emu._control("POST", "/devicecode/approve", {"userCode": dc["user_code"]})
        status, body = self.poll(dc)
        self.assertEqual(status, 200, body)
        self.assertIn("refresh_token", body)
        self.assertEqual(self.poll(dc)[1]["error"], "invalid_grant")
        self.assertIn(dc["device_code"], self.emu.state()["issuedSecrets"])
        self.assertNotIn(dc["user_code"], self.emu.state()["issuedSecrets"])

    def test_device_code_denied_expired_and_confidential_client(self):
        dc = self.device_code()
        self.emu._control("POST", "/devicecode/deny", {"userCode": dc["user_code"], "error": "access_denied"})
        self.assertEqual(self.poll(dc)[1]["error"], "access_denied")
        self.emu._control("POST", "/interactive", {"expiresIn": 0})
        self.assertEqual(self.poll(self.device_code())[1]["error"], "expired_token")
        status, body = self.post("devicecode", client_id=ROTATION_APP_ID, scope=ADO_SCOPE)
        self.assertEqual((status, body["error_codes"]), (401, [7000218]))

    def test_refresh_rotates_and_the_old_token_stays_valid(self):
        first = self.signed_in()["refresh_token"]
        status, second = self.refresh(first)
        self.assertEqual(status, 200, second)
        self.assertNotEqual(second["refresh_token"], first)
        self.assertEqual(self.refresh(first)[0], 200)
        self.assertEqual(self.refresh(second["refresh_token"])[0], 200)

    def test_inactivity_expiry_follows_the_emulator_clock(self):
        rt = self.signed_in()["refresh_token"]
        self.emu._control("POST", "/clock", {"offsetSeconds": 91 * 86400})
        status, body = self.refresh(rt)
        self.assertEqual((status, body["error"], body["error_codes"]), (400, "invalid_grant", [700082]))

    def test_revocation_and_policy_errors_on_demand(self):
        rt = self.signed_in()["refresh_token"]
        self.emu._control("POST", "/refreshtokens", {"username": BOT, "error": 50076})
        self.assertEqual(self.refresh(rt)[1]["error"], "interaction_required")
        self.emu._control("POST", "/refreshtokens", {"username": BOT, "error": None})
        self.assertEqual(self.refresh(rt)[0], 200)
        self.emu._control("POST", "/refreshtokens", {"username": BOT, "error": 50173})
        self.assertEqual(self.refresh(rt)[1]["error_codes"], [50173])
        self.assertEqual(self.refresh(self.signed_in()["refresh_token"])[0], 200, "a new sign-in works again")

    def test_authorization_code_with_pkce_and_loopback_redirect(self):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        redirect = "http://127.0.0.1:49152/"
        query = urllib.parse.urlencode({"client_id": PAT_CLIENT_ID, "response_type": "code", "redirect_uri": redirect,
                                        "scope": ADO_SCOPE, "state": "s1", "code_challenge": challenge,
                                        "code_challenge_method": "S256", "login_hint": BOT})
        status, headers, _ = self.emu.request("GET", f"/login/{TENANT_ID}/oauth2/v2.0/authorize?{query}")
        self.assertEqual(status, 302)
        location = urllib.parse.urlsplit(headers["Location"])
        self.assertEqual(f"{location.scheme}://{location.netloc}{location.path}", redirect)
        back = dict(urllib.parse.parse_qsl(location.query))
        self.assertEqual(back["state"], "s1")
        form = {"grant_type": "authorization_code", "client_id": PAT_CLIENT_ID, "code": back["code"],
                "redirect_uri": redirect, "scope": ADO_SCOPE}
        status, body = self.post("token", **form, code_verifier="wrong" + verifier)
        self.assertEqual((status, body["error_codes"]), (400, [501481]))
        status, body = self.post("token", **form, code_verifier=verifier)
        self.assertEqual(status, 200, body)
        self.assertIn("refresh_token", body)
        self.assertEqual(self.post("token", **form, code_verifier=verifier)[1]["error_codes"], [54005])


if __name__ == "__main__":
    unittest.main()
