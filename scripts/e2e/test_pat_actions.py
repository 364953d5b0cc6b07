"""End-to-end tests of the PAT actions (pat-list, pat-renew, pat-rotate, pat-create, pat-revoke)
through the built binary against the emulator.  See scripts/emulator/README.md for the demo world."""

from __future__ import annotations

import json
import os
import unittest
from datetime import datetime, timezone

from harness import (Emulator, assert_no_leak, identity_client_secret, identity_pat_owner, run_task, service_time,
                     task_env)

CI = "ffffffff-0001-4000-8000-000000000001"       # ci-feed-reader, +3d
NIGHTLY = "ffffffff-0002-4000-8000-000000000002"  # nightly-deploy, global, +5d
BOT = "rotation-bot@contoso.onmicrosoft.com"


class PatTestCase(unittest.TestCase):
    def setUp(self):
        self.emu = Emulator.shared()
        self.emu.reset()

    def run_pat(self, action: str, **inputs):
        res = run_task(task_env(self.emu, action=action, **{**identity_pat_owner(), **inputs}))
        assert_no_leak(self, res, self.emu)
        return res

    def pats(self, name: str | None = None, active: bool = True) -> list[dict]:
        now = datetime.now(timezone.utc)
        out = [p for p in self.emu.state()["pats"] if p["owner"] == BOT]
        if active:
            out = [p for p in out if not p["revoked"] and service_time(p["validTo"]) > now]
        return [p for p in out if name is None or p["displayName"] == name]

    def versions(self, secret: str) -> list[dict]:
        vault = next(v for v in self.emu.state()["vaults"] if v["name"] == "kv-rotation")
        return vault["secrets"].get(secret, [])

    def changes(self) -> list[dict]:
        """PAT API writes and Key Vault writes in the request log."""
        return [r for r in self.emu.requests()
                if (r["service"] in ("vssps", "pats") or "/_apis/tokens/pats" in r["path"]) and r["method"] in ("POST", "PUT", "DELETE")
                or ("/kv/" in r["path"] and r["method"] == "PUT")]

    def report(self, res) -> dict:
        with open(res.outputs()["reportPath"]) as f:
            return json.load(f)


class PatListTest(PatTestCase):
    def test_lists_every_page_with_table_summary_report_and_warnings(self):
        self.emu.configure(patPageSize=2)
        res = self.run_pat("pat-list", renewWithinDays=7)
        self.assertEqual(res.code, 0, res)
        pages = [r for r in self.emu.requests() if r["path"].endswith("/tokens/pats") and r["method"] == "GET"]
        self.assertGreaterEqual(len(pages), 3, "more than one page was read")
        for name in ("ci-feed-reader", "code-reader", "long-lived", "nightly-deploy", "release-manager", "work-items"):
            self.assertIn(name, res.stdout)
        self.assertNotIn("revoked-one", res.stdout)
        self.assertIn("all organizations (global, stops working 2026-12-01)", res.stdout)
        warnings = res.warnings()
        self.assertTrue(any("ci-feed-reader" in w and "expires" in w for w in warnings), warnings)
        self.assertTrue(any("nightly-deploy" in w and "expires" in w for w in warnings), warnings)
        self.assertFalse(any("long-lived" in w for w in warnings), warnings)
        report = self.report(res)
        self.assertEqual(len(report["tokens"]), 6)
        self.assertEqual(oct(os.stat(res.outputs()["reportPath"]).st_mode & 0o777), "0o600")
        summary = next(c.data for c in res.commands if c.event == "uploadsummary")
        with open(summary) as f:
            self.assertIn("| ci-feed-reader |", f.read())
        self.assertEqual(self.changes(), [])

    def test_wildcard_filter_and_zero_warns_for_all(self):
        res = self.run_pat("pat-list", tokenDisplayNames="*-reader", renewWithinDays=0)
        self.assertEqual(res.code, 0, res)
        names = [t["displayName"] for t in self.report(res)["tokens"]]
        self.assertEqual(names, ["ci-feed-reader", "code-reader"])
        self.assertEqual(len([w for w in res.warnings() if "expires" in w]), 2)


class PatRenewTest(PatTestCase):
    def test_renews_due_tokens_and_warns_when_clamped(self):
        res = self.run_pat("pat-renew", tokenDisplayNames="ci-feed-reader\nlong-lived", validityDays=400,
                           renewWithinDays=7)
        self.assertEqual(res.code, 0, res)
        ci = self.pats("ci-feed-reader")[0]
        self.assertEqual(ci["authorizationId"], CI)
        self.assertGreater((service_time(ci["validTo"]) - datetime.now(timezone.utc)).days, 100)
        self.assertTrue(any("ci-feed-reader" in w and "only" in w for w in res.warnings()), res.warnings())
        self.assertIn("long-lived", res.stdout)  # skipped, not within 7 days
        self.assertEqual(res.outputs()["authorizationId"], CI)
        self.assertEqual(service_time(res.outputs()["expiresOn"]).date(), service_time(ci["validTo"]).date())
        puts = [r for r in self.emu.requests() if r["method"] == "PUT" and "tokens/pats" in r["path"]]
        self.assertEqual(len(puts), 1)
        # Re-run: nothing is due any more.
        self.emu.clear_requests()
        again = self.run_pat("pat-renew", tokenDisplayNames="ci-feed-reader\nlong-lived", validityDays=400)
        self.assertEqual(again.code, 0, again)
        self.assertEqual(self.changes(), [])

    def test_dry_run_changes_nothing(self):
        self.emu.clear_requests()
        res = self.run_pat("pat-renew", tokenDisplayNames="*", dryRun=True, renewWithinDays=0)
        self.assertEqual(res.code, 0, res)
        self.assertIn("[dry run] would extend PAT 'ci-feed-reader'", res.stdout)
        self.assertEqual(self.changes(), [])


class PatRotateTest(PatTestCase):
    def test_rotates_with_paging_wildcards_and_global_conversion(self):
        self.emu.configure(patPageSize=2)
        res = self.run_pat("pat-rotate", tokenDisplayNames="ci-*\nnightly-*", renewWithinDays=7)
        self.assertEqual(res.code, 0, res)
        for name, old in (("ci-feed-reader", CI), ("nightly-deploy", NIGHTLY)):
            live = self.pats(name)
            self.assertEqual(len(live), 1, live)
            new = live[0]
            self.assertNotEqual(new["authorizationId"], old)
            self.assertFalse(new["allOrgs"], "replacement is organization-scoped")
            latest = self.versions(f"pat-{name}")[-1]
            self.assertEqual(latest["value"], new["token"])
            self.assertEqual(latest["tags"]["authorizationId"], new["authorizationId"])
            self.assertEqual(latest["tags"]["replaces"], old)
            self.assertEqual(latest["tags"]["displayName"], name)
            self.assertEqual(latest["contentType"], "application/vnd.azure-devops.pat")
        self.assertTrue(any("nightly-deploy" in w and "global" in w for w in res.warnings()), res.warnings())
        report = self.report(res)
        nightly = next(t for t in report["tokens"] if t["authorizationId"] == NIGHTLY)
        self.assertTrue(nightly["global"])
        self.assertEqual(nightly["outcome"], "rotated")
        self.assertNotIn("newCredential", res.outputs(), "two tokens: no single output value")
        # Re-run at once: nothing is due.
        self.emu.clear_requests()
        again = self.run_pat("pat-rotate", tokenDisplayNames="ci-*\nnightly-*", renewWithinDays=7)
        self.assertEqual(again.code, 0, again)
        self.assertEqual(self.changes(), [])

    def test_single_rotation_sets_outputs_and_clamps(self):
        res = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader", validityDays=365)
        self.assertEqual(res.code, 0, res)
        new = self.pats("ci-feed-reader")[0]
        outputs = res.outputs()
        self.assertEqual(outputs["authorizationId"], new["authorizationId"])
        self.assertEqual(outputs["newCredential"], new["token"])
        self.assertIn("/secrets/pat-ci-feed-reader/", outputs["keyVaultSecretId"])
        self.assertTrue(any("shortened" in w for w in res.warnings()), res.warnings())
        self.assertLess((service_time(new["validTo"]) - datetime.now(timezone.utc)).days, 181)

    def test_dry_run_reads_but_changes_nothing(self):
        self.emu.clear_requests()
        res = self.run_pat("pat-rotate", tokenDisplayNames="*", dryRun=True)
        self.assertEqual(res.code, 0, res)
        self.assertIn("[dry run] would create a replacement for PAT 'ci-feed-reader'", res.stdout)
        self.assertEqual(self.changes(), [])
        self.assertEqual(self.pats("ci-feed-reader")[0]["authorizationId"], CI)

    def test_key_vault_failure_revokes_the_new_token_and_keeps_the_old(self):
        self.emu.add_fault(method="PUT", path=r"/kv/kv-rotation/secrets/pat-ci-feed-reader$", status=500, times=-1)
        res = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader")
        self.assertEqual(res.code, 1, res)
        live = self.pats("ci-feed-reader")
        self.assertEqual([p["authorizationId"] for p in live], [CI], "old token live, new one revoked")
        created = [p for p in self.pats("ci-feed-reader", active=False) if p["authorizationId"] != CI]
        self.assertEqual(len(created), 1)
        self.assertTrue(created[0]["revoked"])
        error = "\n".join(res.errors())
        self.assertIn("Undone: revoke the new PAT 'ci-feed-reader'", error)
        self.assertIn(CI, error)
        self.assertIn("untouched", error)

    def test_uncertain_create_is_checked_then_tried_again(self):
        # The connection drops before the service handled the create: nothing was created, so
        # after checking the list the create is tried once more and the rotation completes.
        # The client may only notice the dropped POST when its request times out: 5 s, not 60.
        self.emu.add_fault(method="POST", path=r"/tokens/pats$", drop=True, times=1)
        res = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader", requestTimeoutSeconds=5)
        self.assertEqual(res.code, 0, res)
        self.assertIn("nothing was created", res.stdout)
        active = self.pats("ci-feed-reader")
        self.assertEqual(len(active), 1)
        self.assertNotEqual(active[0]["authorizationId"], CI)

    def test_create_processed_after_timeout_is_found_revoked_and_redone(self):
        # The service creates the token after the client gave up waiting (timeout 1 s, answer after 2 s).
        self.emu.add_fault(method="POST", path=r"/tokens/pats$", delaySeconds=2, times=1)
        res = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader", requestTimeoutSeconds=1)
        self.assertEqual(res.code, 0, res)
        everything = [p for p in self.pats("ci-feed-reader", active=False) if p["authorizationId"] != CI]
        stray = [p for p in everything if p["revoked"]]
        self.assertEqual(len(stray), 1, "the token created after the timeout was revoked")
        self.assertIn(stray[0]["authorizationId"], res.stdout)
        self.assertEqual(len([p for p in everything if not p["revoked"]]), 1, "and exactly one replacement is live")

    def test_second_uncertain_create_fails_and_names_the_state(self):
        self.emu.add_fault(method="POST", path=r"/tokens/pats$", status=500, times=-1)
        res = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader")
        self.assertEqual(res.code, 1, res)
        self.assertEqual([p["authorizationId"] for p in self.pats("ci-feed-reader")], [CI])
        self.assertIn("Run the pipeline again", "\n".join(res.errors()))

    def test_pat_token_error_fails_naming_it(self):
        self.emu.add_fault(method="POST", path=r"/tokens/pats$", patTokenError="fullScopePatPolicyViolation")
        res = self.run_pat("pat-rotate", tokenDisplayNames="ci-feed-reader")
        self.assertEqual(res.code, 1, res)
        self.assertIn("fullScopePatPolicyViolation", "\n".join(res.errors()))
        self.assertEqual([p["authorizationId"] for p in self.pats("ci-feed-reader")], [CI])


class PatCreateRevokeTest(PatTestCase):
    def test_create_then_revoke_after_grace(self):
        res = self.run_pat("pat-create", tokenDisplayNames="ci-feed-reader", graceHours=24)
        self.assertEqual(res.code, 0, res)
        live = self.pats("ci-feed-reader")
        self.assertEqual(len(live), 2, "old token kept")
        new_id = res.outputs()["authorizationId"]

        # Twice: no second replacement (even with renewWithinDays 0 = always).
        twice = self.run_pat("pat-create", tokenDisplayNames="ci-feed-reader", renewWithinDays=0)
        self.assertEqual(twice.code, 0, twice)
        self.assertEqual(len(self.pats("ci-feed-reader")), 2)
        self.assertIn("pending", self.report(twice)["tokens"][0]["outcome"])

        # Right away: nothing old enough.
        self.emu.clear_requests()
        early = self.run_pat("pat-revoke", tokenDisplayNames="ci-feed-reader", graceHours=24)
        self.assertEqual(early.code, 0, early)
        self.assertEqual(self.changes(), [])
        self.assertEqual(len(self.pats("ci-feed-reader")), 2)

        self.emu.advance_hours(25)
        late = self.run_pat("pat-revoke", tokenDisplayNames="ci-feed-reader", graceHours=24)
        self.assertEqual(late.code, 0, late)
        live = self.pats("ci-feed-reader")
        self.assertEqual([p["authorizationId"] for p in live], [new_id])
        self.assertEqual(self.versions("pat-ci-feed-reader")[-1]["value"], live[0]["token"])

        # Re-run: nothing left to revoke.
        self.emu.clear_requests()
        again = self.run_pat("pat-revoke", tokenDisplayNames="ci-feed-reader", graceHours=24)
        self.assertEqual(again.code, 0, again)
        self.assertEqual(self.changes(), [])

    def test_dry_runs_of_create_and_revoke_change_nothing(self):
        self.emu.clear_requests()
        res = self.run_pat("pat-create", tokenDisplayNames="ci-feed-reader", dryRun=True)
        self.assertEqual(res.code, 0, res)
        self.assertIn("[dry run] would create a replacement for PAT 'ci-feed-reader'", res.stdout)
        self.assertIn("[dry run] would store the new value", res.stdout)
        self.assertEqual(self.changes(), [])
        self.run_pat("pat-create", tokenDisplayNames="ci-feed-reader")
        self.emu.advance_hours(30)
        self.emu.clear_requests()
        res = self.run_pat("pat-revoke", tokenDisplayNames="ci-feed-reader", dryRun=True)
        self.assertEqual(res.code, 0, res)
        self.assertIn("[dry run] would revoke PAT 'ci-feed-reader' (%s)" % CI, res.stdout)
        self.assertEqual(self.changes(), [])
        self.assertEqual(len(self.pats("ci-feed-reader")), 2)

    def test_revoke_never_revokes_when_key_vault_holds_another_value(self):
        # A second token of the name exists but Key Vault does not name it: keep everything.
        self.run_pat("pat-create", tokenDisplayNames="code-reader", renewWithinDays=0, secretName="other-{displayName}")
        self.emu.advance_hours(48)
        self.emu.clear_requests()
        res = self.run_pat("pat-revoke", tokenDisplayNames="code-reader", graceHours=24)
        self.assertEqual(res.code, 0, res)
        self.assertIn("nothing is revoked", res.stdout)
        self.assertEqual(self.changes(), [])
        self.assertEqual(len(self.pats("code-reader")), 2)


class PatInputTest(PatTestCase):
    def test_client_credentials_only_fails_before_any_call(self):
        self.emu.clear_requests()
        env = task_env(self.emu, action="pat-list", **identity_client_secret())
        res = run_task(env)
        assert_no_leak(self, res, self.emu)
        self.assertEqual(res.code, 1, res)
        self.assertIn("accepts only a user's token", "\n".join(res.errors()))
        self.assertEqual(self.emu.requests(), [])


if __name__ == "__main__":
    unittest.main()
