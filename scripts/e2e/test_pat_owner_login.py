"""End-to-end: the PAT owner signs in once (pat-owner-login), Key Vault keeps the refresh token, and every
PAT action renews it before any change (issue #15). Through the built binary against the emulator; the test
plays the person at the browser with the emulator's controls (see scripts/emulator/README.md)."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import unittest
import urllib.parse
import urllib.request

import copy
import json
import os

import harness
from harness import (ORG, PAT_CLIENT_ID, REPO, TENANT_ID, VAULT, Emulator, assert_no_leak, default_binary,
                     find_leaks, identity_pat_owner, run_task, task_env, unescape_data)
from pat_owner_support import BOT, PIPELINE, SESSION, seed_session, session_inputs

CODE_RE = re.compile(r"open (\S+) and enter the code (\w+)")
URL_RE = re.compile(r"open this URL in a browser on this machine \(waiting \d+ minutes\): (\S+)")


def run_interactive(emu: Emulator, env: dict, on_line, timeout: float = 60) -> harness.TaskResult:
    """Runs the binary, hands each unescaped stdout line to `on_line` while it runs (the person at the
    browser), then leak-checks the run like harness.run_task."""
    started = time.monotonic()
    proc = subprocess.Popen([default_binary()], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    reader.start()
    out = []
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            out.append(line)
            on_line(unescape_data(line.rstrip("\n")))
        code = proc.wait()
    finally:
        timer.cancel()
    reader.join(5)
    proc.stdout.close()
    proc.stderr.close()
    res = harness.TaskResult("".join(out), "".join(err), code, time.monotonic() - started, env)
    state = emu.state()
    res.leak_problems = find_leaks(res, harness.secret_values(state), extra=harness._env_secrets(env)) + \
        harness.record_problems(state)
    harness._leak_failures.extend(f"pat-owner-login run: {p}" for p in res.leak_problems)
    return res


class PatOwnerLoginTest(unittest.TestCase):
    def setUp(self):
        self.emu = Emulator.shared()
        self.emu.reset()
        self.emu._control("POST", "/interactive", {"interval": 1})

    # ---- helpers
    def env(self, action: str, pipeline: bool = True, **inputs) -> dict:
        base = {"action": action, **session_inputs(self.emu)}
        if pipeline:
            base.update(TF_BUILD="True", BUILD_DEFINITIONNAME=PIPELINE)
        env = task_env(self.emu, **{**base, **inputs})
        if pipeline:
            env.update(TF_BUILD="True", BUILD_DEFINITIONNAME=PIPELINE)
        return env

    def workstation_env(self) -> dict:
        """A workstation, not an agent: only tenantId, the public clientId, keyVaultName,
        patOwnerRefreshTokenSecret and signInFlow (plus the organization and the emulator's URLs and CA);
        no service connection, no client secret, no job token, no agent variables."""
        env = task_env(self.emu, action="pat-owner-login", organization=ORG, tenantId=TENANT_ID,
                       clientId=PAT_CLIENT_ID, keyVaultName=VAULT, patOwnerRefreshTokenSecret=SESSION,
                       signInFlow="deviceCode")
        for name in [k for k in env if k.startswith(("SYSTEM_", "ENDPOINT_", "BUILD_"))
                     or k in ("AGENT_TEMPDIRECTORY", "AGENT_OS")]:
            del env[name]
        env["TMPDIR"] = env["HOME"]
        return env

    def login(self, username: str = BOT, deny: bool = False, env: dict | None = None) -> harness.TaskResult:
        seen = []

        def approve(line: str):
            m = CODE_RE.search(line)
            if m and not seen:
                seen.append(m.group(2))
                verb = "deny" if deny else "approve"
                self.emu._control("POST", f"/devicecode/{verb}", {"userCode": m.group(2), "username": username})

        env = env or self.env("pat-owner-login", tenantId=TENANT_ID, clientId=PAT_CLIENT_ID)
        res = run_interactive(self.emu, env, approve)
        assert_no_leak(self, res, self.emu)
        self.assertEqual(len(seen), 1, res)
        self.user_code = seen[0]
        return res

    def session_versions(self) -> list[dict]:
        vault = next(v for v in self.emu.state()["vaults"] if v["name"] == "kv-rotation")
        return vault["secrets"].get(SESSION, [])

    def changes(self) -> list[dict]:
        return [r for r in self.emu.requests() if r["method"] in ("POST", "PUT", "DELETE", "PATCH")
                and (r["service"] in ("vssps", "kv"))]

    def run_pat(self, action: str, **inputs) -> harness.TaskResult:
        res = run_task(self.env(action, **inputs))
        assert_no_leak(self, res, self.emu)
        return res

    def seed_session(self) -> str:
        return seed_session(self.emu)

    # ---- acceptance
    def test_pipeline_login_then_pat_rotate_uses_and_renews_the_session(self):
        res = self.login()
        self.assertEqual(res.code, 0, res)
        self.assertTrue(any(self.user_code in w and "microsoft.com/devicelogin" in w for w in res.warnings()),
                        res.warnings())
        self.assertIn(self.user_code, res.stdout, "the user code is shown")
        [stored] = self.session_versions()
        self.assertEqual((stored["tags"]["user"], stored["tags"]["tenant"], stored["tags"]["client"]),
                         (BOT, TENANT_ID, PAT_CLIENT_ID))
        self.assertEqual(stored["tags"]["signInPipeline"], PIPELINE)
        self.assertIsNone(stored["exp"])
        self.assertIn("refresh-token", stored["contentType"])
        self.assertIn(stored["value"], self.emu.state()["issuedSecrets"])
        self.assertEqual(res.outputs()["keyVaultSecretId"].rsplit("/", 1)[-1], stored["version"])

        first = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader", renewWithinDays=7)
        self.assertEqual(first.code, 0, first)
        self.assertFalse(any("ROPC" in w for w in first.warnings()), first.warnings())
        after_first = self.session_versions()
        self.assertEqual(len(after_first), 2)
        vault = next(v for v in self.emu.state()["vaults"] if v["name"] == "kv-rotation")
        self.assertEqual(len(vault["secrets"]["pat-ci-feed-reader"]), 1, "the PAT was rotated and its value stored")

        second = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader", renewWithinDays=7)
        self.assertEqual(second.code, 0, second)
        after_second = self.session_versions()
        self.assertEqual(len(after_second), 3)
        self.assertGreaterEqual(after_second[-1]["created"], after_first[-1]["created"])
        self.assertEqual(len({v["value"] for v in after_second}), 3, "each run stored a new refresh token")
        self.assertIn(after_first[-1]["version"], second.stdout, "the second run renewed the first run's version")

    def test_workstation_login_with_only_a_public_client_then_a_pipeline_uses_the_session(self):
        """Issue #25: no azureSubscription, no client secret: the owner's own sign-in writes the vault."""
        res = self.login(env=self.workstation_env())
        self.assertEqual(res.code, 0, res)
        self.assertIn("written with the PAT owner's own sign-in", res.stdout)
        self.assertNotIn("task.setsecret", res.stdout, "outside an agent no secret is printed, not even to mask it")
        [stored] = self.session_versions()
        self.assertEqual((stored["tags"]["user"], stored["tags"]["client"]), (BOT, PAT_CLIENT_ID))
        rotated = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader", renewWithinDays=7)
        self.assertEqual(rotated.code, 0, rotated)
        self.assertEqual(len(self.session_versions()), 2, "the pipeline renewed the workstation's session")

    def test_workstation_login_names_what_the_owner_lacks_for_key_vault(self):
        fixture_path = os.path.join(REPO, "scripts", "emulator", "default_fixture.json")
        with open(fixture_path, encoding="utf-8") as f:
            default = json.load(f)
        no_delegation = copy.deepcopy(default)
        next(a for a in no_delegation["apps"] if a["appId"] == PAT_CLIENT_ID)["delegatedResources"] = ["ado"]
        no_role = copy.deepcopy(default)
        vault = next(v for v in no_role["vaults"] if v["name"] == VAULT)
        vault["secretsOfficers"] = [o for o in vault["secretsOfficers"] if o != BOT]
        for fixture, expected in ((no_delegation, ["AADSTS650057", "user_impersonation", "docs/permissions.md"]),
                                  (no_role, ["ForbiddenByRbac", "Key Vault Secrets Officer"])):
            with self.subTest(expected[0]):
                self.emu.reset(fixture)
                self.emu._control("POST", "/interactive", {"interval": 1})
                res = self.login(env=self.workstation_env())
                self.assertEqual(res.code, 1, res)
                for text in expected:
                    self.assertIn(text, " ".join(res.errors()))
                self.assertEqual(self.session_versions(), [])
        self.emu.reset()

    def test_pat_list_reports_when_the_session_was_last_renewed(self):
        self.seed_session()
        res = self.run_pat("pat-list")
        self.assertEqual(res.code, 0, res)
        self.assertIn("last renewed", res.stdout)
        self.assertEqual(len(self.session_versions()), 2)

    def test_expired_revoked_and_mfa_required_sessions_fail_before_any_change(self):
        cases = [("AADSTS700082", lambda: self.emu._control("POST", "/clock", {"offsetSeconds": 91 * 86400})),
                 ("AADSTS50173", lambda: self.emu._control("POST", "/refreshtokens", {"username": BOT, "error": 50173})),
                 ("AADSTS50076", lambda: self.emu._control("POST", "/refreshtokens", {"username": BOT, "error": 50076}))]
        for code, arm in cases:
            with self.subTest(code=code):
                self.emu.reset()
                self.seed_session()
                arm()
                self.emu.clear_requests()
                res = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader")
                self.assertEqual(res.code, 1, res)
                text = " ".join(res.errors())
                self.assertIn(code, text)
                self.assertIn(f"run the pat-owner-login pipeline again ('{PIPELINE}')", text)
                self.assertIn("Nothing was changed", text)
                self.assertEqual(self.changes(), [])
                self.assertEqual(len(self.session_versions()), 1)

    def test_key_vault_failure_while_storing_the_new_refresh_token_changes_nothing(self):
        self.seed_session()
        self.emu.add_fault(method="PUT", path=f"/secrets/{SESSION}$", status=403, times=-1)
        self.emu.clear_requests()
        res = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader")
        self.assertEqual(res.code, 1, res)
        self.assertIn("previous refresh token is still in Key Vault", " ".join(res.errors()))
        self.assertEqual([r for r in self.changes() if r["service"] == "vssps"], [])
        self.assertEqual(len(self.session_versions()), 1)
        self.emu.clear_faults()
        again = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader")
        self.assertEqual(again.code, 0, again)
        self.assertEqual(len(self.session_versions()), 2, "the old refresh token still worked")

    def test_dry_run_renews_nothing_in_key_vault(self):
        self.seed_session()
        self.emu.clear_requests()
        res = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader", dryRun=True)
        self.assertEqual(res.code, 0, res)
        self.assertIn("[dry run] would store the renewed refresh token", res.stdout)
        self.assertEqual(self.changes(), [])
        self.assertEqual(len(self.session_versions()), 1)

    # ---- the sign-in itself
    def test_a_user_the_password_flow_cannot_sign_in_manages_pats_with_a_session(self):
        mfa = "mfa-user@contoso.onmicrosoft.com"
        ropc = run_task(task_env(self.emu, action="pat-list", **{**identity_pat_owner(), "INPUT_PATOWNERUSERNAME": mfa,
                                                                 "INPUT_PATOWNERPASSWORD": "Fixture-Mfa-Password-1!"}))
        self.assertEqual(ropc.code, 1, ropc)
        self.assertIn("AADSTS50076", " ".join(ropc.errors()))
        self.assertEqual(self.login(username=mfa).code, 0)
        res = self.run_pat("pat-list")
        self.assertEqual(res.code, 0, res)
        self.assertIn("mfa-user-token", res.stdout)

    def test_declined_sign_in_stores_nothing(self):
        res = self.login(deny=True)
        self.assertEqual(res.code, 1, res)
        self.assertIn("declined", " ".join(res.errors()))
        self.assertEqual(self.session_versions(), [])

    def test_browser_sign_in_with_pkce_on_a_workstation(self):
        opened = []

        def browse(line: str):
            m = URL_RE.search(line)
            if not m or opened:
                return
            opened.append(m.group(1))
            status, headers, _ = self.emu.request("GET", m.group(1))
            self.assertEqual(status, 302)
            threading.Thread(target=lambda: urllib.request.urlopen(headers["Location"], timeout=10).read(),
                             daemon=True).start()

        env = self.env("pat-owner-login", pipeline=False, tenantId=TENANT_ID, clientId=PAT_CLIENT_ID,
                       signInFlow="browser", AGENT_TEMPDIRECTORY=None)  # a workstation: no agent variables
        res = run_interactive(self.emu, env, browse)
        assert_no_leak(self, res, self.emu)
        self.assertEqual(res.code, 0, res)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(opened[0]).query))
        self.assertEqual(query["code_challenge_method"], "S256")
        self.assertTrue(query["redirect_uri"].startswith("http://127.0.0.1:"))
        [stored] = self.session_versions()
        self.assertEqual(stored["tags"]["signInFlow"], "browser")

    def test_input_errors_before_any_call(self):
        self.emu.clear_requests()
        res = run_task(self.env("pat-owner-login", tenantId=TENANT_ID, clientId=PAT_CLIENT_ID, signInFlow="browser"))
        self.assertEqual(res.code, 1, res)
        self.assertTrue(any("signInFlow" in e for e in res.errors()), res.errors())
        res = run_task(self.env("pat-owner-login", patOwnerRefreshTokenSecret=None, tenantId=TENANT_ID))
        self.assertTrue(any("patOwnerRefreshTokenSecret" in e for e in res.errors()), res.errors())
        self.assertTrue(any("clientId" in e for e in res.errors()), res.errors())
        self.assertEqual(self.emu.requests(), [])

    def test_password_flow_warns_at_each_use(self):
        res = run_task(task_env(self.emu, action="pat-list", **identity_pat_owner()))
        self.assertEqual(res.code, 0, res)
        self.assertTrue(any("ROPC" in w and "pat-owner-login" in w for w in res.warnings()), res.warnings())


if __name__ == "__main__":
    unittest.main()
