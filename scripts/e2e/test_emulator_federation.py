"""The emulator's federated identity credentials and service-connection conversion (stdlib only)."""

import json
import unittest

from harness import ENDPOINTS, Emulator

PAYMENTS_OBJECT_ID = "bbbbbbbb-0003-4000-8000-000000000003"
FICS = f"/graph/v1.0/applications/{PAYMENTS_OBJECT_ID}/federatedIdentityCredentials"
ADO = "499b84ac-1321-427f-aa17-267ca6975798/.default"
GRAPH = "https://graph.microsoft.com/.default"


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
        for name, subject, extra in (("ok-name", "s2", {}), ("other", "s1", {}), ("x", "s3", {}), ("bad name", "s4", {}),
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
        eid = ENDPOINTS["payments-prod"]
        get = f"/ado/contoso/Platform/_apis/serviceendpoint/endpoints/{eid}?api-version=7.1"
        put = f"/ado/contoso/_apis/serviceendpoint/endpoints/{eid}?operation=ConvertAuthenticationScheme&api-version=7.1"
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
        self.emu.configure(oidcIssuer="azureDevOps")
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


if __name__ == "__main__":
    unittest.main()
