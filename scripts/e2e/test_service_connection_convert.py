"""service-connection-convert end to end against the emulator (issue #17).

The emulator models the conversion protocol described in docs/federation.md: a conversion request either
converts at once (Azure DevOps federates a principal it manages) or answers "Automatic authentication
conversion failed" and states the issuer and subject on the unchanged connection; the task then creates the
federated credential and converts. Issuer of new/saved connections: Entra (config oidcIssuer)."""

import copy
import json
import os
import shutil
import tempfile
import unittest
from datetime import datetime, timedelta, timezone

from harness import (default_fixture, ENDPOINTS, ORG, PROJECT, TENANT_ID, Emulator, check_all_runs_leak_free,
                     identity_client_secret, owned_by_the_task, run_task, task_env)
from app_secret_support import app, changes, endpoint, token_works

ENTRA_ISSUER = f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"
ADO_ISSUER = "https://vstoken.dev.azure.com/22222222-2222-2222-2222-222222222222"
ORG_ID = "22222222-2222-2222-2222-222222222222"
OTHER_APP_ID = "aaaaaaaa-0004-4000-8000-000000000004"
PAYMENTS_APP_ID = "aaaaaaaa-0003-4000-8000-000000000003"


def fixture(**changes_to_make) -> dict:
    """The default world, with other-team-app owned by rotation-automation (so it can federate it)."""
    fx = owned_by_the_task(default_fixture(), OTHER_APP_ID)
    if changes_to_make.get("second_project"):
        fx["organization"]["projects"].append({"name": "Ops", "id": "44444444-4444-4444-4444-444444444444"})
        other = copy.deepcopy(next(e for e in fx["endpoints"] if e["name"] == "other-team"))
        other["id"] = "eeeeeeee-0009-4000-8000-000000000009"
        other["name"] = "other-team-ops"
        other["serviceEndpointProjectReferences"] = [{"projectReference": {"id": "44444444-4444-4444-4444-444444444444",
                                                                           "name": "Ops"}, "name": "other-team-ops"}]
        fx["endpoints"].append(other)
    if changes_to_make.get("vault_holds"):
        secret = next(a for a in fx["apps"] if a["appId"] == OTHER_APP_ID)["passwordCredentials"][0]
        fx["vaults"][0]["secrets"]["other-team-secret"] = [{
            "value": secret["secretText"], "contentType": "text/plain", "created": "-10d",
            "tags": {"keyId": secret["keyId"], "applicationId": OTHER_APP_ID, "connections": "other-team"}}]
    for e in fx["endpoints"]:
        if e["name"] in changes_to_make.get("locked", ()):
            e["conversionCanChangePrincipal"] = False
    if changes_to_make.get("projects"):
        add_projects(fx, changes_to_make["projects"])
    return fx


def add_projects(fx: dict, count: int) -> None:
    """`count` projects in all (Platform first), so Core - Projects - List answers in pages of 100."""
    fx["organization"]["projects"] += [{"name": f"project-{i:03d}", "id": f"44444444-0000-4000-8000-{i:012d}"}
                                       for i in range(1, count)]


def copy_of(fx: dict, name: str, new_name: str, number: int, project: str) -> dict:
    """A copy of connection `name` in `project`, as connection `new_name`."""
    project_id = next(p["id"] for p in fx["organization"]["projects"] if p["name"] == project)
    other = copy.deepcopy(next(e for e in fx["endpoints"] if e["name"] == name))
    other["id"] = f"eeeeeeee-{number:04d}-4000-8000-{number:012d}"
    other["name"] = new_name
    other["serviceEndpointProjectReferences"] = [{"projectReference": {"id": project_id, "name": project},
                                                  "name": new_name}]
    fx["endpoints"].append(other)
    return other


def already_federated(fx: dict, name: str = "payments-prod") -> dict:
    """Connection `name` federated on the Entra issuer (as a conversion leaves it), with no federated credential
    for it on its application: a conversion interrupted before the credential existed, or one deleted later."""
    e = next(e for e in fx["endpoints"] if e["name"] == name)
    params = e["authorization"]["parameters"]
    e["authorization"] = {"scheme": "WorkloadIdentityFederation", "parameters": {
        "tenantid": params["tenantid"], "serviceprincipalid": params["serviceprincipalid"],
        "workloadIdentityFederationIssuer": ENTRA_ISSUER,
        "workloadIdentityFederationSubject": f"/eid1/c/pub/t/EREREQ/a/rLueSSET/sc/{ORG_ID}/{e['id']}"}}
    return e


class ServiceConnectionConvertTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()

    def setUp(self):
        self.emu.reset(fixture())
        folder = tempfile.mkdtemp(prefix="rc-convert-")
        self.addCleanup(shutil.rmtree, folder, True)
        self.report = os.path.join(folder, "report.json")

    def env(self, connections="payments-prod", **inputs):
        base = dict(action="service-connection-convert", serviceConnections=connections,
                    azureDevOpsIdentity="azureSubscription", organization=ORG, project=PROJECT,
                    keyVaultUrl=None, reportPath=self.report)
        base.update(identity_client_secret())
        base.update(inputs)
        return task_env(self.emu, **base)

    def read_report(self) -> dict:
        with open(self.report) as f:
            return json.load(f)

    def fics(self, app_id=PAYMENTS_APP_ID) -> list[dict]:
        return app(self.emu, app_id).get("federatedCredentials", [])

    # ---- conversion
    def test_converts_a_secret_based_connection(self):
        secret_before = endpoint(self.emu, "payments-prod")["authorization"]["parameters"]["serviceprincipalkey"]
        res = run_task(self.env())
        self.assertEqual(res.code, 0, str(res))
        ep = endpoint(self.emu, "payments-prod")
        self.assertEqual(ep["authorization"]["scheme"], "WorkloadIdentityFederation")
        self.assertTrue(ep["isReady"])
        self.assertEqual(ep["operationStatus"]["state"], "Ready")
        params = ep["authorization"]["parameters"]
        self.assertEqual(params["workloadIdentityFederationIssuer"], ENTRA_ISSUER)
        subject = params["workloadIdentityFederationSubject"]
        self.assertTrue(subject.startswith("/eid1/") and subject.endswith(f"/sc/{ORG_ID}/{ENDPOINTS['payments-prod']}"))
        matching = [f for f in self.fics() if f["issuer"] == ENTRA_ISSUER and f["subject"] == subject]
        self.assertEqual(len(matching), 1, self.fics())
        self.assertEqual(matching[0]["audiences"], ["api://AzureADTokenExchange"])
        row = self.read_report()["connections"][0]
        self.assertEqual(row["outcome"], "converted to workload identity federation")
        self.assertTrue(row["proof"].startswith("proven"), row)
        self.assertIsNotNone(row["revertDeadline"])
        self.assertTrue(any("can revert 'payments-prod'" in line for line in res.lines), res.stdout)
        # removeSecretAfterConversion is false by default: the secret stays.
        self.assertTrue(token_works(self.emu, secret_before))
        self.assertEqual(res.outputs().get("changed"), "true")

    def test_federated_credential_is_created_before_the_conversion(self):
        res = run_task(self.env())
        self.assertEqual(res.code, 0, str(res))
        log = [r for r in self.emu.requests() if r["method"] in ("POST", "PUT")
               and ("federatedIdentityCredentials" in r["path"] or "serviceendpoint" in r["path"])]
        kinds = [("fic" if "federatedIdentityCredentials" in r["path"] else f"put:{r['status']}") for r in log]
        # ask (400: not modified, issuer/subject stated) -> credential -> conversion (200)
        self.assertEqual(kinds, ["put:400", "fic", "put:200"], kinds)

    def test_rerun_changes_nothing(self):
        self.assertEqual(run_task(self.env()).code, 0)
        self.emu.clear_requests()
        res = run_task(self.env())
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual([r for r in changes(self.emu) if "oidctoken" not in r["path"]], [])
        self.assertEqual(res.outputs().get("changed"), "false")
        self.assertEqual(self.read_report()["connections"][0]["outcome"], "up to date (federated)")

    def test_dry_run_lists_what_would_change(self):
        res = run_task(self.env(dryRun=True))
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual(endpoint(self.emu, "payments-prod")["authorization"]["scheme"], "ServicePrincipal")
        self.assertEqual(len(self.fics()), 1)  # only the fixture's payments-wif credential
        self.assertEqual([r for r in changes(self.emu)], [])
        self.assertTrue(any("[dry run] would Convert service connection 'payments-prod'" in line for line in res.lines),
                        res.stdout)
        self.assertEqual(self.read_report()["connections"][0]["outcome"], "would be converted to workload identity federation")

    def test_failure_creating_the_credential_leaves_the_secret_working(self):
        secret = endpoint(self.emu, "payments-prod")["authorization"]["parameters"]["serviceprincipalkey"]
        self.emu.add_fault(method="POST", path=r"/federatedIdentityCredentials$", status=403, times=10)
        res = run_task(self.env())
        self.assertEqual(res.code, 1, str(res))
        ep = endpoint(self.emu, "payments-prod")
        self.assertEqual(ep["authorization"]["scheme"], "ServicePrincipal")
        self.assertTrue(token_works(self.emu, secret))
        self.assertTrue(any("Ensure application" in e and "keeps working" in e for e in res.errors()), res.errors())

    def test_failure_after_the_conversion_reverts_to_the_secret(self):
        secret = endpoint(self.emu, "payments-prod")["authorization"]["parameters"]["serviceprincipalkey"]
        # the read-back after the conversion fails: the conversion is undone (reverted within its window);
        # the credential is honoured at once here, so the conversion completes in its request
        self.emu.configure(federatedCredentialPropagationSeconds=0)
        self.emu.add_fault(method="GET", path=r"/serviceendpoint/endpoints/eeeeeeee-0001", status=500, skip=1, times=20)
        res = run_task(self.env())
        self.emu.clear_faults()
        self.assertEqual(res.code, 1, str(res))
        self.assertEqual(endpoint(self.emu, "payments-prod")["authorization"]["scheme"], "ServicePrincipal")
        self.assertTrue(token_works(self.emu, secret))
        self.assertTrue(any("Undone: revert service connection 'payments-prod'" in e for e in res.errors()), res.errors())

    def test_token_proof_failure_reverts(self):
        # Entra rejects the connection's assertion (the two token requests before are the task's own).
        secret = endpoint(self.emu, "payments-prod")["authorization"]["parameters"]["serviceprincipalkey"]
        self.emu.add_fault(method="POST", path=r"/oauth2/v2\.0/token$", status=400, skip=2, times=10,
                           body={"error": "invalid_client", "error_codes": [700223],
                                 "error_description": "AADSTS700223: federated identity credentials are disabled."})
        res = run_task(self.env())
        self.emu.clear_faults()
        self.assertEqual(res.code, 1, str(res))
        self.assertEqual(endpoint(self.emu, "payments-prod")["authorization"]["scheme"], "ServicePrincipal")
        self.assertTrue(token_works(self.emu, secret))
        self.assertTrue(any("Undone: revert service connection 'payments-prod'" in e for e in res.errors()), res.errors())

    # ---- Automatic connections
    def test_automatic_connection_needs_the_input(self):
        res = run_task(self.env("payments-auto"))
        self.assertEqual(res.code, 1, str(res))
        self.assertTrue(any("convertAutomaticConnections" in e for e in res.errors()), res.errors())
        self.assertEqual(changes(self.emu), [])

    def test_automatic_connection_converted_by_azure_devops(self):
        res = run_task(self.env("payments-auto", convertAutomaticConnections=True))
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual(endpoint(self.emu, "payments-auto")["authorization"]["scheme"], "WorkloadIdentityFederation")
        self.assertTrue(any("federated its principal itself" in line or "in the background" in line
                            for line in res.lines), res.stdout)

    def test_automatic_conversion_failed_is_completed_by_hand(self):
        self.emu.reset(fixture(locked=("payments-auto",)))
        res = run_task(self.env("payments-auto", convertAutomaticConnections=True))
        self.assertEqual(res.code, 0, str(res))
        self.assertTrue(any("cannot federate the principal" in line for line in res.lines), res.stdout)
        self.assertEqual(endpoint(self.emu, "payments-auto")["authorization"]["scheme"], "WorkloadIdentityFederation")

    # ---- issuer move
    def test_moves_azure_devops_issuer_to_entra(self):
        res = run_task(self.env("payments-wif", graceHours=24))
        self.assertEqual(res.code, 0, str(res))
        params = endpoint(self.emu, "payments-wif")["authorization"]["parameters"]
        self.assertEqual(params["workloadIdentityFederationIssuer"], ENTRA_ISSUER)
        names = {f["name"]: f for f in self.fics()}
        self.assertIn("payments-wif", names)  # the old credential stays for the grace period
        self.assertTrue(any(f["issuer"] == ENTRA_ISSUER and f["subject"] == params["workloadIdentityFederationSubject"]
                            for f in names.values()))
        self.assertTrue(any("kept until" in line and "payments-wif" in line for line in res.lines), res.stdout)
        self.assertIsNotNone(self.read_report()["connections"][0]["gapSeconds"])
        self.emu._control("POST", "/clock", {"offsetSeconds": 25 * 3600})
        try:
            again = run_task(self.env("payments-wif", graceHours=24))
            self.assertEqual(again.code, 0, str(again))
            self.assertNotIn("payments-wif", {f["name"] for f in self.fics()})
        finally:
            self.emu._control("POST", "/clock", {"offsetSeconds": 0})

    def test_issuer_move_failure_names_the_state(self):
        self.emu.add_fault(method="POST", path=r"/federatedIdentityCredentials$", status=403, times=10)
        res = run_task(self.env("payments-wif"))
        self.emu.clear_faults()
        self.assertEqual(res.code, 1, str(res))
        self.assertTrue(any("ATTENTION: service connection 'payments-wif' now uses issuer " + ENTRA_ISSUER in e
                            for e in res.errors()), res.errors())
        self.assertIn("payments-wif", {f["name"] for f in self.fics()})  # the old credential is kept

    def test_shared_connection_is_refused_before_any_change(self):
        fx = fixture()
        for e in fx["endpoints"]:
            if e["name"] == "payments-prod":
                e["isShared"] = True
        self.emu.reset(fx)
        res = run_task(self.env())
        self.assertEqual(res.code, 1, str(res))
        self.assertTrue(any("shared with other projects" in e for e in res.errors()), res.errors())
        self.assertEqual(changes(self.emu), [])

    # ---- secret removal
    def test_secret_removed_after_grace_when_no_holder_is_left(self):
        secret = app(self.emu, OTHER_APP_ID)["passwordCredentials"][0]
        res = run_task(self.env("other-team", removeSecretAfterConversion=True, graceHours=24))
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual(len(app(self.emu, OTHER_APP_ID)["passwordCredentials"]), 1)
        self.assertTrue(any("grace period" in line for line in res.lines), res.stdout)
        self.emu._control("POST", "/clock", {"offsetSeconds": 25 * 3600})
        try:
            again = run_task(self.env("other-team", removeSecretAfterConversion=True, graceHours=24))
            self.assertEqual(again.code, 0, str(again))
            self.assertEqual(app(self.emu, OTHER_APP_ID)["passwordCredentials"], [])
            self.assertFalse(token_works(self.emu, secret["secretText"], OTHER_APP_ID))
        finally:
            self.emu._control("POST", "/clock", {"offsetSeconds": 0})

    def test_secret_kept_while_another_secret_based_connection_may_hold_it(self):
        self.emu.reset(fixture(second_project=True))
        res = run_task(self.env("other-team", removeSecretAfterConversion=True, graceHours=0))
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual(len(app(self.emu, OTHER_APP_ID)["passwordCredentials"]), 1)
        self.assertTrue(any("Ops/other-team-ops" in line and "kept" in line for line in res.lines), res.stdout)

    def test_secret_kept_while_key_vault_holds_it(self):
        self.emu.reset(fixture(vault_holds=True))
        res = run_task(self.env("other-team", removeSecretAfterConversion=True, graceHours=0,
                                keyVaultUrl=f"{self.emu.base_url}/kv/kv-rotation", secretName="other-team-secret"))
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual(len(app(self.emu, OTHER_APP_ID)["passwordCredentials"]), 1)
        self.assertTrue(any("Key Vault secret 'other-team-secret'" in line and "kept" in line for line in res.lines),
                        res.stdout)

    # ---- the task's record (issue #26): the application's lease before its secret goes
    def retire_with_vault(self) -> dict:
        return self.env("other-team", removeSecretAfterConversion=True, graceHours=0,
                        keyVaultUrl=f"{self.emu.base_url}/kv/kv-rotation", secretName="other-team-secret")

    def record_versions(self) -> list[dict]:
        return self.emu.state()["vaults"][0]["secrets"].get(f"rotate-credential-application-{OTHER_APP_ID}", [])

    def test_secret_removal_takes_the_applications_lease_and_gives_it_back(self):
        res = run_task(self.retire_with_vault())
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual(app(self.emu, OTHER_APP_ID)["passwordCredentials"], [])
        self.assertTrue(any(f"Took the lease on application:{OTHER_APP_ID}" in line for line in res.lines), res.stdout)
        record = json.loads(self.record_versions()[-1]["value"])
        self.assertTrue(record["lease"]["released"], record)

    def test_a_run_right_after_the_removal_changes_nothing(self):
        """Graph still lists a removed secret for a while; the removing run waits until it does not,
        so the next run, however soon, finds nothing to remove."""
        res = run_task(self.retire_with_vault())
        self.assertEqual(res.code, 0, str(res))
        self.emu.clear_requests()
        again = run_task(self.retire_with_vault())
        self.assertEqual(again.code, 0, str(again))
        self.assertEqual([r["path"] for r in self.emu.requests() if r["path"].endswith("/removePassword")], [])

    def test_another_runs_live_lease_keeps_the_secret(self):
        fx = fixture()
        now = datetime.now(timezone.utc)
        lease = {"id": "other-lease", "holder": "pipeline 'rotate-other', build 77", "released": False,
                 "acquired": now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                 "expires": (now + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z")}
        fx["vaults"][0]["secrets"][f"rotate-credential-application-{OTHER_APP_ID}"] = [{
            "value": json.dumps({"schema": 1, "scope": f"application:{OTHER_APP_ID}", "lease": lease, "intents": [],
                                 "holders": [], "bystanders": [], "unmanaged": []}),
            "contentType": "application/vnd.rotate-credential.record+json", "created": "-1m"}]
        self.emu.reset(fx)
        res = run_task(self.retire_with_vault())
        self.assertEqual(res.code, 1, str(res))
        self.assertEqual(len(app(self.emu, OTHER_APP_ID)["passwordCredentials"]), 1)
        self.assertTrue(any("rotate-other" in e and "holds the lease" in e for e in res.errors()), res.errors())
        self.assertEqual(endpoint(self.emu, "other-team")["authorization"]["scheme"], "WorkloadIdentityFederation")

    # ---- every page read (issue #23)
    def test_secret_kept_while_a_holder_on_the_second_page_of_projects_may_hold_it(self):
        fx = fixture(projects=130)
        copy_of(fx, "other-team", "other-team-ops", 9, "project-120")  # page 2 of the project list
        failed = copy_of(fx, "other-team", "other-team-failed", 10, "project-005")
        failed["operationStatus"] = {"state": "Failed", "statusMessage": "converting_scheme_failed"}
        self.emu.reset(fx)
        res = run_task(self.env("other-team", removeSecretAfterConversion=True, graceHours=0))
        self.assertEqual(res.code, 0, str(res))
        self.assertEqual(len(app(self.emu, OTHER_APP_ID)["passwordCredentials"]), 1)
        kept = [line for line in res.lines if "kept" in line and "client secret" in line]
        self.assertTrue(any("project-120/other-team-ops" in line for line in kept), res.stdout)
        self.assertTrue(any("project-005/other-team-failed" in line for line in kept), res.stdout)
        pages = [r for r in self.emu.requests() if r["path"].endswith("/_apis/projects")]
        self.assertEqual([r["query"].get("continuationToken") for r in pages], [None, "100"])

    def test_a_credential_name_taken_on_a_later_page_is_not_reused(self):
        fx = fixture()
        payments = next(a for a in fx["apps"] if a["appId"] == PAYMENTS_APP_ID)
        taken = f"rotate-credential-{ENDPOINTS['payments-prod']}-entra"
        payments["federatedCredentials"] += [
            {"name": name, "issuer": ENTRA_ISSUER, "subject": f"/eid1/other/{name}",
             "audiences": ["api://AzureADTokenExchange"]} for name in ["f1", "f2", "f3", "f4", taken]]
        self.emu.reset(fx)
        res = run_task(self.env())
        self.assertEqual(res.code, 0, str(res))
        subject = endpoint(self.emu, "payments-prod")["authorization"]["parameters"]["workloadIdentityFederationSubject"]
        serving = [f for f in self.fics() if f["subject"] == subject]
        self.assertEqual(len(serving), 1)
        self.assertNotEqual(serving[0]["name"], taken)
        created = [r for r in self.emu.requests() if r["method"] == "POST" and r["path"].endswith("Credentials")]
        self.assertEqual([r["status"] for r in created], [201])

    def test_a_409_for_the_credential_name_is_read_back_not_a_failure(self):
        # Graph's answer when the name is taken (Azure/azure-dev#1482), e.g. by an earlier attempt whose answer was lost
        name = f"rotate-credential-{ENDPOINTS['payments-prod']}-entra"
        self.emu.add_fault(method="POST", path=r"/federatedIdentityCredentials$", status=409, times=1, body={
            "error": {"code": "Request_MultipleObjectsWithSameKeyValue",
                      "message": f"FederatedIdentityCredential with name {name} already exists."}})
        res = run_task(self.env())
        self.assertEqual(res.code, 0, str(res))
        self.assertTrue(any("Request_MultipleObjectsWithSameKeyValue" in line for line in res.lines), res.stdout)
        subject = endpoint(self.emu, "payments-prod")["authorization"]["parameters"]["workloadIdentityFederationSubject"]
        self.assertEqual(len([f for f in self.fics() if f["subject"] == subject]), 1)

    # ---- the conversion that finishes later (issue #23)
    def test_credentials_honoured_after_8_seconds_convert_and_prove(self):
        self.assertEqual(self.emu.state()["config"]["federatedCredentialPropagationSeconds"], 8)
        res = run_task(self.env())
        self.assertEqual(res.code, 0, str(res))
        ep = endpoint(self.emu, "payments-prod")
        self.assertEqual((ep["authorization"]["scheme"], ep["operationStatus"]["state"]),
                         ("WorkloadIdentityFederation", "Ready"))
        waits = [line for line in res.lines if "converting_scheme" in line]
        self.assertTrue(waits and all("at most" in line for line in waits), res.stdout)
        self.assertTrue(self.read_report()["connections"][0]["proof"].startswith("proven"))
        self.emu.clear_requests()
        again = run_task(self.env())
        self.assertEqual(again.code, 0, str(again))
        self.assertEqual([r for r in changes(self.emu) if "oidctoken" not in r["path"]], [])

    def test_a_conversion_that_fails_in_the_background_names_the_manual_fix(self):
        secret = endpoint(self.emu, "payments-prod")["authorization"]["parameters"]["serviceprincipalkey"]
        self.emu.configure(federatedCredentialPropagationSeconds=100000, conversionBackgroundSeconds=2)
        res = run_task(self.env(replicationTimeoutSeconds=12))
        self.assertEqual(res.code, 1, str(res))
        ep = endpoint(self.emu, "payments-prod")
        self.assertEqual(ep["authorization"]["scheme"], "ServicePrincipal")
        self.assertTrue(token_works(self.emu, secret))
        errors = " ".join(res.errors())
        self.assertIn("converting_scheme_failed", errors)
        self.assertIn("Convert", errors)
        self.assertIn(ep["authorization"]["parameters"]["workloadIdentityFederationSubject"], errors)
        retried = [r for r in self.emu.requests() if r["method"] == "PUT" and r["status"] == 200]
        self.assertGreater(len(retried), 1)  # the conversion was sent again after the service's test failed

    def test_a_run_that_stops_while_azure_devops_converts_is_finished_by_the_next(self):
        self.emu.add_fault(method="GET", path=r"/serviceendpoint/endpoints/eeeeeeee-0001", status=500, skip=1, times=20)
        res = run_task(self.env())
        self.emu.clear_faults()
        self.assertEqual(res.code, 1, str(res))
        self.assertTrue(any("later in the background" in e for e in res.errors()), res.errors())
        again = run_task(self.env())
        self.assertEqual(again.code, 0, str(again))
        self.assertEqual(endpoint(self.emu, "payments-prod")["authorization"]["scheme"], "WorkloadIdentityFederation")
        self.assertTrue(self.read_report()["connections"][0]["proof"].startswith("proven"))

    # ---- "already converted" without its credential (issue #23)
    def test_a_federated_connection_without_its_credential_gets_it_and_is_proven(self):
        fx = fixture()
        e = already_federated(fx)
        self.emu.reset(fx)
        res = run_task(self.env())
        self.assertEqual(res.code, 0, str(res))
        subject = e["authorization"]["parameters"]["workloadIdentityFederationSubject"]
        self.assertEqual(len([f for f in self.fics() if f["issuer"] == ENTRA_ISSUER and f["subject"] == subject]), 1)
        row = self.read_report()["connections"][0]
        self.assertEqual(row["outcome"], "federated credential added")
        self.assertTrue(row["proof"].startswith("proven"), row)
        self.assertEqual(res.outputs().get("changed"), "true")
        self.emu.clear_requests()
        again = run_task(self.env())
        self.assertEqual(again.code, 0, str(again))
        self.assertEqual([r for r in changes(self.emu) if "oidctoken" not in r["path"]], [])
        self.assertEqual(self.read_report()["connections"][0]["outcome"], "up to date (federated)")

    def test_a_federated_connection_without_its_credential_fails_naming_it_when_it_cannot_be_added(self):
        fx = fixture()
        e = already_federated(fx)
        self.emu.reset(fx)
        self.emu.add_fault(method="POST", path=r"/federatedIdentityCredentials$", status=403, times=10)
        res = run_task(self.env())
        self.assertEqual(res.code, 1, str(res))
        errors = " ".join(res.errors())
        self.assertIn(e["authorization"]["parameters"]["workloadIdentityFederationSubject"], errors)
        self.assertIn("no federated credential", errors)
        self.assertIn(PAYMENTS_APP_ID, errors)

    # ---- errors as Azure words them (issue #23)
    def test_an_organization_level_administrator_refusal_changes_nothing(self):
        fx = fixture()
        next(e for e in fx["endpoints"] if e["name"] == "payments-prod")["organizationAdministrators"] = []
        self.emu.reset(fx)
        res = run_task(self.env())
        self.assertEqual(res.code, 1, str(res))
        self.assertTrue(any("organization (collection) level" in e for e in res.errors()), res.errors())
        self.assertEqual([r["status"] for r in changes(self.emu)], [403])
        self.assertEqual(len(self.fics()), 1)

    def test_a_connection_busy_with_another_operation_is_refused_before_any_change(self):
        fx = fixture()
        busy = next(e for e in fx["endpoints"] if e["name"] == "payments-prod")
        busy["operationStatus"] = {"state": "InProgress", "statusMessage": "Updating the service principal"}
        self.emu.reset(fx)
        res = run_task(self.env())
        self.assertEqual(res.code, 1, str(res))
        self.assertTrue(any("another operation" in e for e in res.errors()), res.errors())
        self.assertEqual(changes(self.emu), [])

    def test_no_leaks(self):
        check_all_runs_leak_free(self)


if __name__ == "__main__":
    unittest.main()
