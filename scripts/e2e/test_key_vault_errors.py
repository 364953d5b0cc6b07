"""Key Vault's errors as Azure words them (issue #23), end to end: only 404 `SecretNotFound` means a secret is
absent, so a wrong vault stops a rotation before anything is created; a disabled latest version gets the advice
to enable it, not a permission."""

import unittest

from harness import default_fixture, Emulator, check_all_runs_leak_free, identity_pat_owner, run_task, task_env
from app_secret_support import app, app_env, changes

CI = "ffffffff-0001-4000-8000-000000000001"


class KeyVaultErrorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()

    def setUp(self):
        self.emu.reset()

    def test_a_wrong_vault_stops_the_rotation_before_a_token_is_created(self):
        res = run_task(task_env(self.emu, action="pat-rotate", tokenDisplayNames="ci-feed-reader",
                                keyVaultUrl=f"{self.emu.base_url}/kv/kv-rotaton", **identity_pat_owner()))
        self.assertEqual(res.code, 1, str(res))
        errors = " ".join(res.errors())
        self.assertIn("VaultNotFound", errors)
        self.assertIn("keyVaultName or keyVaultUrl", errors)
        self.assertEqual(changes(self.emu), [])
        live = [p for p in self.emu.state()["pats"] if p["displayName"] == "ci-feed-reader" and not p["revoked"]]
        self.assertEqual([p["authorizationId"] for p in live], [CI])

    def test_a_disabled_latest_version_is_named_and_nothing_changes(self):
        fx = default_fixture()
        versions = fx["vaults"][0]["secrets"]["payments-prod-secret"]
        versions = versions if isinstance(versions, list) else [versions]
        versions[-1]["enabled"] = False
        fx["vaults"][0]["secrets"]["payments-prod-secret"] = versions
        self.emu.reset(fx)
        before = len(app(self.emu)["passwordCredentials"])
        res = run_task(app_env(self.emu, "app-secret-rotate", serviceConnections="payments-prod", renewWithinDays=0))
        self.assertEqual(res.code, 1, str(res))
        errors = " ".join(res.errors())
        self.assertIn("SecretDisabled", errors)
        self.assertIn("latest version of the secret is disabled", errors)
        self.assertNotIn("Secrets Officer", errors)
        self.assertEqual(changes(self.emu), [])
        self.assertEqual(len(app(self.emu)["passwordCredentials"]), before)

    def test_no_leaks(self):
        check_all_runs_leak_free(self)


if __name__ == "__main__":
    unittest.main()
