"""service-connection-update end to end against the emulator."""

import unittest

from harness import Emulator, run_task, check_all_runs_leak_free
from app_secret_support import app, app_env, endpoint, vault_versions


class ServiceConnectionUpdateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()

    def setUp(self):
        self.emu.reset()

    def test_from_input_secret(self):
        value = next(p["secretText"] for p in app(self.emu)["passwordCredentials"]
                     if p["keyId"] == "dddddddd-0002-4000-8000-000000000002")
        res = run_task(app_env(self.emu, "service-connection-update", serviceConnections="payments-prod",
                               servicePrincipalKey=value, secretName=None, keyVaultUrl=None))
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual(endpoint(self.emu, "payments-prod")["authorization"]["parameters"]["serviceprincipalkey"], value)

    def test_from_key_vault_secret(self):
        rotated = run_task(app_env(self.emu, "app-secret-create"))
        self.assertEqual(rotated.code, 0, str(rotated))
        value = vault_versions(self.emu)[-1]["value"]
        res = run_task(app_env(self.emu, "service-connection-update", serviceConnections="payments-prod"))
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual(endpoint(self.emu, "payments-prod")["authorization"]["parameters"]["serviceprincipalkey"], value)

    def test_job_token_without_administrator_role_names_the_permission(self):
        value = app(self.emu)["passwordCredentials"][0]["secretText"]
        res = run_task(app_env(self.emu, "service-connection-update", serviceConnections="payments-prod",
                               servicePrincipalKey=value, azureDevOpsIdentity="systemAccessToken"))
        self.assertEqual(res.code, 1, str(res))
        self.assertTrue(any("Platform Build Service (contoso)" in e and "Administrator" in e for e in res.errors()),
                        res.errors())

    def test_wrong_key_fails_at_once_naming_the_code(self):
        # No secret of the application has this hint and was created recently: it cannot be
        # replicating, so the run does not wait replicationTimeoutSeconds (issue #14).
        before = endpoint(self.emu, "payments-prod")
        res = run_task(app_env(self.emu, "service-connection-update", serviceConnections="payments-prod",
                               servicePrincipalKey="Xq7Q~this-is-not-the-secret-of-any-app", secretName=None,
                               keyVaultUrl=None, replicationTimeoutSeconds=300))
        self.assertEqual(res.code, 1, str(res))
        self.assertLess(res.duration, 30)
        self.assertIn("AADSTS7000215", " ".join(res.errors()))
        self.assertEqual(endpoint(self.emu, "payments-prod"), before)

    def test_a_recorded_connection_is_not_written_again(self):
        rotated = run_task(app_env(self.emu, "app-secret-create", serviceConnections="payments-prod"))
        self.assertEqual(rotated.code, 0, str(rotated))
        self.emu.clear_requests()
        again = run_task(app_env(self.emu, "service-connection-update", serviceConnections="payments-prod"))
        self.assertEqual(again.code, 0, str(again))
        self.assertEqual(again.outputs().get("changed"), "false")
        self.assertFalse([r for r in self.emu.requests() if r["method"] == "PUT"])

    def test_no_leaks(self):
        check_all_runs_leak_free(self)


if __name__ == "__main__":
    unittest.main()
