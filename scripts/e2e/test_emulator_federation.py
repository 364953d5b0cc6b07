"""The emulator's federated identity credentials and service-connection conversion (stdlib only)."""

import base64
import json
import time
import unittest

from harness import default_fixture, ENDPOINTS, JOB_ID, PLAN_ID, PROJECT_ID, TENANT_ID, Emulator

PAYMENTS_OBJECT_ID = "bbbbbbbb-0003-4000-8000-000000000003"
FICS = f"/graph/v1.0/applications/{PAYMENTS_OBJECT_ID}/federatedIdentityCredentials"
ADO = "499b84ac-1321-427f-aa17-267ca6975798/.default"
GRAPH = "https://graph.microsoft.com/.default"
ARM = "https://management.azure.com/.default"
PAYMENTS_APP_ID = "aaaaaaaa-0003-4000-8000-000000000003"
EID = ENDPOINTS["payments-prod"]
GET = f"/ado/contoso/Platform/_apis/serviceendpoint/endpoints/{EID}?api-version=7.1"
CONVERT = f"/ado/contoso/_apis/serviceendpoint/endpoints/{EID}?operation=ConvertAuthenticationScheme&api-version=7.1"


class EmulatorFederationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()

    def setUp(self):
        self.emu.reset()

    def call(self, method, path, scope=GRAPH, body=None):
        token = self.emu.token(scope)
        status, _, raw = self.emu.request(method, path, body=body, headers={"Authorization": f"Bearer {token}"})
        return status, (json.loads(raw) if raw and raw != b"null" else None)

    def fic(self, name, subject, **extra):
        body = {"name": name, "issuer": "https://login.microsoftonline.com/t/v2.0", "subject": subject,
                "audiences": ["api://AzureADTokenExchange"]}
        body.update(extra)
        return self.call("POST", FICS, body=body)

    def test_create_list_get_delete(self):
        status, created = self.fic("first", "s1", description="d")
        self.assertEqual(status, 201, created)
        status, page = self.call("GET", FICS)
        self.assertEqual(status, 200)
        self.assertEqual({c["name"] for c in page["value"]}, {"payments-wif", "first"})
        self.assertEqual(self.call("GET", f"{FICS}/{created['id']}")[1]["subject"], "s1")
        self.assertEqual(self.call("DELETE", f"{FICS}/{created['id']}")[0], 204)
        self.assertEqual(self.call("GET", f"{FICS}/{created['id']}")[0], 404)

    def test_validation(self):
        self.assertEqual(self.fic("ok-name", "s1")[0], 201)
        status, body = self.fic("ok-name", "s2")  # Azure/azure-dev#1482
        self.assertEqual((status, body["error"]["code"]), (409, "Request_MultipleObjectsWithSameKeyValue"))
        self.assertEqual(body["error"]["message"], "FederatedIdentityCredential with name ok-name already exists.")
        status, body = self.fic("other", "s1")  # Azure/azure-workload-identity#434
        self.assertEqual(status, 400)
        self.assertIn("The combination of issuer and subject must be unique", body["error"]["message"])
        self.assertIn("already exist", body["error"]["message"])
        for name, subject, extra in (("x", "s3", {}), ("bad name", "s4", {}),
                                     ("aud", "s5", {"audiences": ["a", "b"]}), ("iss", "s6", {"issuer": " https://x/ "}),
                                     ("plain", "s7", {"issuer": "http://x"})):
            status, body = self.fic(name, subject, **extra)
            self.assertEqual(status, 400, (name, body))
            self.assertEqual(body["error"]["code"], "Request_BadRequest")

    def test_twenty_per_application(self):
        for i in range(19):  # the fixture app has one already
            self.assertEqual(self.fic(f"fic-{i:02d}", f"s{i}")[0], 201)
        status, body = self.fic("one-too-many", "s-last")
        self.assertEqual(status, 400)
        self.assertIn("20", body["error"]["message"])

    def test_conversion_round_trip_and_revert(self):
        self.emu.configure(federatedCredentialPropagationSeconds=0)  # honoured at once: converts in the request
        eid = EID
        get, put = GET, CONVERT
        _, endpoint = self.call("GET", get, ADO)
        endpoint["authorization"]["scheme"] = "WorkloadIdentityFederation"
        status, answer = self.call("PUT", put, ADO, endpoint)
        self.assertEqual(status, 400)
        self.assertEqual(answer["typeKey"], "ServiceEndpointException")
        _, stated = self.call("GET", get, ADO)
        self.assertEqual(stated["authorization"]["scheme"], "ServicePrincipal")
        params = stated["authorization"]["parameters"]
        self.fic("conv", params["workloadIdentityFederationSubject"], issuer=params["workloadIdentityFederationIssuer"])
        stated["authorization"]["scheme"] = "WorkloadIdentityFederation"
        status, converted = self.call("PUT", put, ADO, stated)
        self.assertEqual(status, 200, converted)
        self.assertIn("revertSchemeDeadline", converted["data"])
        self.assertNotIn("serviceprincipalkey", converted["authorization"]["parameters"])
        status, same = self.call("PUT", put, ADO, converted)
        self.assertEqual(status, 400)
        self.assertIn("neither an upgrade or a downgrade", same["message"])
        converted["authorization"]["scheme"] = "ServicePrincipal"
        status, reverted = self.call("PUT", put, ADO, converted)
        self.assertEqual(status, 200, reverted)
        stored = next(e for e in self.emu.state()["endpoints"] if e["id"] == eid)
        self.assertTrue(stored["authorization"]["parameters"]["serviceprincipalkey"])

    def test_azure_devops_issuer_setting(self):
        self.emu.configure(oidcIssuer="azureDevOps", federatedCredentialPropagationSeconds=0)
        eid = ENDPOINTS["payments-auto"]
        get = f"/ado/contoso/Platform/_apis/serviceendpoint/endpoints/{eid}?api-version=7.1"
        _, endpoint = self.call("GET", get, ADO)
        endpoint["authorization"]["scheme"] = "WorkloadIdentityFederation"
        status, converted = self.call(
            "PUT", f"/ado/contoso/_apis/serviceendpoint/endpoints/{eid}?operation=ConvertAuthenticationScheme&api-version=7.1", ADO, endpoint)
        self.assertEqual(status, 200, converted)  # Automatic: Azure DevOps federates the principal itself
        params = converted["authorization"]["parameters"]
        self.assertEqual(params["workloadIdentityFederationSubject"], "sc://contoso/Platform/payments-auto")
        self.assertTrue(params["workloadIdentityFederationIssuer"].startswith("https://vstoken.dev.azure.com/"))


    # ---- the conversion test-authenticates first (issue #23)
    def ask_and_create(self):
        """Asks (400, issuer and subject stated), creates the stated credential; returns the connection."""
        _, endpoint = self.call("GET", GET, ADO)
        endpoint["authorization"]["scheme"] = "WorkloadIdentityFederation"
        self.assertEqual(self.call("PUT", CONVERT, ADO, endpoint)[0], 400)
        _, stated = self.call("GET", GET, ADO)
        params = stated["authorization"]["parameters"]
        self.assertEqual(self.fic("conv", params["workloadIdentityFederationSubject"],
                                  issuer=params["workloadIdentityFederationIssuer"])[0], 201)
        stated["authorization"]["scheme"] = "WorkloadIdentityFederation"
        return stated

    def test_conversion_finishes_in_the_background_once_entra_honours_the_credential(self):
        self.emu.configure(federatedCredentialPropagationSeconds=1.5, timeScale=1, conversionBackgroundSeconds=60)
        stated = self.ask_and_create()
        status, answer = self.call("PUT", CONVERT, ADO, stated)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["authorization"]["scheme"], "ServicePrincipal")
        self.assertEqual(answer["operationStatus"], {"state": "InProgress", "statusMessage": "converting_scheme"})
        self.assertFalse(answer["isReady"])
        self.assertEqual(answer["authorization"]["parameters"]["workloadIdentityFederationSubject"],
                         stated["authorization"]["parameters"]["workloadIdentityFederationSubject"])
        # sending it again while it converts is accepted (it tests again)
        self.assertEqual(self.call("PUT", CONVERT, ADO, stated)[1]["operationStatus"]["state"], "InProgress")
        time.sleep(1.6)
        _, done = self.call("GET", GET, ADO)
        self.assertEqual(done["authorization"]["scheme"], "WorkloadIdentityFederation")
        self.assertEqual(done["operationStatus"]["state"], "Ready")
        self.assertTrue(done["isReady"])
        self.assertIn("revertSchemeDeadline", done["data"])

    def test_conversion_fails_in_the_background_and_keeps_the_secret(self):
        self.emu.configure(federatedCredentialPropagationSeconds=100, timeScale=1, conversionBackgroundSeconds=1)
        stated = self.ask_and_create()
        self.assertEqual(self.call("PUT", CONVERT, ADO, stated)[1]["operationStatus"]["state"], "InProgress")
        time.sleep(1.1)
        _, failed = self.call("GET", GET, ADO)
        self.assertEqual(failed["operationStatus"], {"state": "Failed", "statusMessage": "converting_scheme_failed"})
        self.assertEqual(failed["authorization"]["scheme"], "ServicePrincipal")
        stored = next(e for e in self.emu.state()["endpoints"] if e["id"] == EID)
        self.assertTrue(stored["authorization"]["parameters"]["serviceprincipalkey"])
        # a new request tests again
        failed["authorization"]["scheme"] = "WorkloadIdentityFederation"
        self.assertEqual(self.call("PUT", CONVERT, ADO, failed)[1]["operationStatus"]["state"], "InProgress")

    def test_another_operation_in_progress_is_refused(self):
        fx = default_fixture()
        busy = next(e for e in fx["endpoints"] if e["id"] == EID)
        busy["operationStatus"] = {"state": "InProgress", "statusMessage": "Updating the service principal"}
        busy["isReady"] = False
        self.emu.reset(fx)
        _, endpoint = self.call("GET", GET, ADO)
        endpoint["authorization"]["scheme"] = "WorkloadIdentityFederation"
        status, answer = self.call("PUT", CONVERT, ADO, endpoint)
        self.assertEqual(status, 400, answer)
        self.assertIn("another operation is already in progress", answer["message"].lower())
        endpoint["authorization"]["scheme"] = "ServicePrincipal"
        status, _ = self.call("PUT", f"/ado/contoso/_apis/serviceendpoint/endpoints/{EID}?api-version=7.1", ADO,
                              endpoint)
        self.assertEqual(status, 400)

    def test_entra_does_not_honour_a_new_credential_at_once(self):
        self.emu.configure(federatedCredentialPropagationSeconds=1.5, timeScale=1)
        self.assertEqual(self.call("DELETE", FICS + "(name='payments-wif')")[0], 204)
        issuer = "https://vstoken.dev.azure.com/22222222-2222-2222-2222-222222222222"
        self.assertEqual(self.fic("payments-wif-again", "sc://contoso/Platform/payments-wif", issuer=issuer)[0], 201)
        job = self.emu.state()["jobAccessToken"]["token"]
        status, _, raw = self.emu.request(
            "POST", f"/ado/contoso/{PROJECT_ID}/_apis/distributedtask/hubs/build/plans/{PLAN_ID}/jobs/{JOB_ID}"
            f"/oidctoken?api-version=7.1&serviceConnectionId={ENDPOINTS['payments-wif']}", body={},
            headers={"Authorization": f"Bearer {job}"})
        assertion = json.loads(raw)["oidcToken"]
        form = {"client_id": PAYMENTS_APP_ID, "grant_type": "client_credentials", "scope": ARM,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion}
        status, _, raw = self.emu.request("POST", f"/login/{TENANT_ID}/oauth2/v2.0/token", form=form)
        body = json.loads(raw)
        self.assertEqual((status, body["error"], body["error_codes"]), (400, "invalid_request", [70021]))
        self.assertIn("No matching federated identity record found for presented assertion. Assertion Issuer: "
                      f"'{issuer}'", body["error_description"])
        time.sleep(1.6)
        status, _, raw = self.emu.request("POST", f"/login/{TENANT_ID}/oauth2/v2.0/token", form=form)
        self.assertEqual(status, 200, raw)

    def test_credential_changes_can_need_an_organization_level_administrator(self):
        fx = default_fixture()
        next(e for e in fx["endpoints"] if e["id"] == EID)["organizationAdministrators"] = []
        self.emu.reset(fx)
        _, endpoint = self.call("GET", GET, ADO)
        update = f"/ado/contoso/_apis/serviceendpoint/endpoints/{EID}?api-version=7.1"
        endpoint["description"] = "renamed only"
        self.assertEqual(self.call("PUT", update, ADO, endpoint)[0], 200)
        endpoint["authorization"]["parameters"]["serviceprincipalkey"] = "a-new-key-value"
        status, answer = self.call("PUT", update, ADO, endpoint)
        self.assertEqual(status, 403, answer)
        self.assertIn("You need to be an organization/collection level Administrator of the service endpoint",
                      answer["message"])
        endpoint["authorization"]["parameters"].pop("serviceprincipalkey")
        endpoint["authorization"]["scheme"] = "WorkloadIdentityFederation"
        self.assertEqual(self.call("PUT", CONVERT, ADO, endpoint)[0], 403)
        stored = next(e for e in self.emu.state()["endpoints"] if e["id"] == EID)
        self.assertEqual(stored["authorization"]["scheme"], "ServicePrincipal")


if __name__ == "__main__":
    unittest.main()
