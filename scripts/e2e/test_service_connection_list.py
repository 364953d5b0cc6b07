"""service-connection-list end to end against the emulator (issue #17): a read-only inventory."""

import json
import os
import shutil
import tempfile
import unittest

from harness import default_fixture, ORG, PROJECT, Emulator, check_all_runs_leak_free, identity_client_secret, run_task, task_env
from app_secret_support import changes


class ServiceConnectionListTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()

    def setUp(self):
        self.emu.reset()
        folder = tempfile.mkdtemp(prefix="rc-list-")
        self.addCleanup(shutil.rmtree, folder, True)
        self.report = os.path.join(folder, "report.json")

    def run_list(self, **inputs):
        base = dict(action="service-connection-list", azureDevOpsIdentity="azureSubscription", organization=ORG,
                    project=PROJECT, keyVaultUrl=None, reportPath=self.report)
        base.update(identity_client_secret())
        base.update(inputs)
        res = run_task(task_env(self.emu, **base))
        self.assertEqual(res.code, 0, str(res))
        with open(self.report) as f:
            return res, json.load(f)

    def test_reports_scheme_issuer_and_advice(self):
        res, report = self.run_list()
        rows = {r["name"]: r for r in report["connections"]}
        self.assertEqual(set(rows), {"payments-prod", "payments-auto", "payments-wif", "other-team", "rotation-wif"})
        self.assertEqual((rows["payments-prod"]["scheme"], rows["payments-prod"]["advice"]), ("ServicePrincipal", "convert"))
        self.assertEqual(rows["payments-prod"]["creationMode"], "Manual")
        self.assertEqual(rows["payments-prod"]["applicationId"], "aaaaaaaa-0003-4000-8000-000000000003")
        self.assertIsNone(rows["payments-prod"].get("issuer"))
        self.assertEqual(rows["payments-auto"]["advice"], "convert")
        self.assertIn("convertAutomaticConnections", rows["payments-auto"]["reason"])
        wif = rows["payments-wif"]
        self.assertEqual((wif["scheme"], wif["issuerKind"], wif["advice"]), ("WorkloadIdentityFederation", "azureDevOps", "move issuer"))
        self.assertIn("2027-07-01", wif["reason"])
        self.assertEqual(report["azureDevOpsIssuerDeadline"], "2027-07-01")
        self.assertEqual(report["counts"], {"convert": 3, "move issuer": 2})
        self.assertEqual(report["changed"], False)
        summary = "\n".join(res.lines)
        self.assertIn("2027-07-01", summary)
        self.assertEqual(res.outputs().get("changed"), "false")
        self.assertEqual(changes(self.emu), [])

    def test_listed_connections_only_and_missing_named(self):
        res, report = self.run_list(serviceConnections="payments-wif\nno-such-connection")
        self.assertEqual([r["name"] for r in report["connections"]], ["payments-wif"])
        self.assertEqual(report["missing"], ["no-such-connection"])
        self.assertTrue(any("no-such-connection" in w for w in res.warnings()), res.warnings())

    def test_entra_issuer_after_conversion(self):
        convert = run_task(task_env(self.emu, action="service-connection-convert", serviceConnections="payments-prod",
                                    azureDevOpsIdentity="azureSubscription", organization=ORG, project=PROJECT,
                                    keyVaultUrl=None, reportPath=self.report, **identity_client_secret()))
        self.assertEqual(convert.code, 0, str(convert))
        _, report = self.run_list(serviceConnections="payments-prod")
        row = report["connections"][0]
        self.assertEqual((row["scheme"], row["issuerKind"], row["advice"]), ("WorkloadIdentityFederation", "entra", "none"))
        self.assertTrue(row["issuer"].startswith("https://login.microsoftonline.com/"))
        self.assertTrue(row["subject"].startswith("/eid1/"))
        self.assertIsNotNone(row["revertDeadline"])

    def test_a_connection_whose_conversion_failed_is_listed_too(self):
        fx = default_fixture()
        failed = next(e for e in fx["endpoints"] if e["name"] == "other-team")
        failed["operationStatus"] = {"state": "Failed", "statusMessage": "converting_scheme_failed"}
        self.emu.reset(fx)
        _, report = self.run_list()
        rows = {r["name"]: r for r in report["connections"]}
        self.assertEqual(len(rows), 5)
        self.assertEqual(rows["other-team"]["advice"], "convert")
        self.assertIn("converting_scheme_failed", rows["other-team"]["reason"])
        _, named = self.run_list(serviceConnections="other-team")
        self.assertEqual([r["name"] for r in named["connections"]], ["other-team"])

    def test_no_leaks(self):
        check_all_runs_leak_free(self)


if __name__ == "__main__":
    unittest.main()
