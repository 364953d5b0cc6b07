"""Conformance for issue #23 (paging, the conversion that finishes later, errors as Azure words them): Microsoft's
own clients read the emulator's pages and answers.

- azure-devops: `CoreClient.get_projects` (100 a page; the client's own `_get_continuation_token` reads the
  `x-ms-continuationtoken` header, which `get_projects` itself drops: azure-devops-python-api#381), and
  `ServiceEndpointClient` (`include_failed`, `update_service_endpoint(..., operation="ConvertAuthenticationScheme")`).
- azure-identity: `ClientAssertionCredential` gets AADSTS70021 for a federated credential Entra does not honour yet.
- azure-keyvault-secrets: a 404 that is not `SecretNotFound` keeps its own error code.
- Graph has no client among ours, so its pages and duplicate answers are checked on the wire with msal's token.

Run with scripts/conformance/run.sh. The loopback knobs are the ones test_conformance.py documents."""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import (DEFAULT_FIXTURE, ENDPOINTS, JOB_ID, PLAN_ID, PROJECT_ID, ROTATION_APP_ID,  # noqa: E402
                     ROTATION_APP_SECRET, TENANT_ID)
from conformance_support import devops_connection, trusted_emulator  # noqa: E402

import requests  # noqa: E402
from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError  # noqa: E402
from azure.identity import ClientAssertionCredential, ClientSecretCredential  # noqa: E402
from azure.keyvault.secrets import SecretClient  # noqa: E402

ADO = "499b84ac-1321-427f-aa17-267ca6975798/.default"
GRAPH = "https://graph.microsoft.com/.default"
ARM = "https://management.azure.com/.default"
PAYMENTS_APP_ID = "aaaaaaaa-0003-4000-8000-000000000003"
FICS = "/graph/v1.0/applications/bbbbbbbb-0003-4000-8000-000000000003/federatedIdentityCredentials"
EID = ENDPOINTS["payments-prod"]
PROJECTS_LOCATION = "603fe2ac-9723-48b9-88ad-09305aa6c6e1"


def fixture(projects: int = 1, failed: str | None = None) -> dict:
    with open(DEFAULT_FIXTURE) as f:
        fx = json.load(f)
    fx["organization"]["projects"] += [{"name": f"project-{i:03d}", "id": f"44444444-0000-4000-8000-{i:012d}"}
                                       for i in range(1, projects)]
    for e in fx["endpoints"]:
        if e["name"] == failed:
            e["operationStatus"] = {"state": "Failed", "statusMessage": "converting_scheme_failed"}
    return fx


class PagingConformanceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = trusted_emulator()
        cls.base, cls.ca = cls.emu.base_url, cls.emu.ca_file

    def setUp(self):
        self.emu.reset()
        self.identity = ClientSecretCredential(
            TENANT_ID, ROTATION_APP_ID, ROTATION_APP_SECRET, authority=f"{self.base}/login",
            disable_instance_discovery=True, connection_verify=self.ca)

    def client(self, getter):
        client = getter(devops_connection(self.emu, self.identity.get_token(ADO).token).clients_v7_1)
        client._client.config.connection.verify = self.ca
        return client

    def graph(self, method, path, **kw):
        headers = {"Authorization": f"Bearer {self.identity.get_token(GRAPH).token}"}
        return requests.request(method, path if path.startswith("http") else self.base + path, headers=headers,
                                verify=self.ca, **kw)

    def test_core_client_reads_projects_page_by_page(self):
        self.emu.reset(fixture(projects=130))
        core = self.client(lambda c: c.get_core_client())
        first = core.get_projects()
        self.assertEqual(len(first), 100)
        response = core._send(http_method="GET", location_id=PROJECTS_LOCATION, version="7.1-preview.4")
        token = core._get_continuation_token(response)
        self.assertEqual(token, "100")
        rest = core.get_projects(continuation_token=int(token))
        self.assertEqual(len(rest), 30)
        self.assertEqual(len({p.name for p in first + rest}), 130)

    def test_service_endpoint_client_sees_a_failed_conversion_only_with_include_failed(self):
        self.emu.reset(fixture(failed="other-team"))
        client = self.client(lambda c: c.get_service_endpoint_client())
        self.assertNotIn("other-team", {e.name for e in client.get_service_endpoints("Platform")})
        failed = next(e for e in client.get_service_endpoints("Platform", include_failed=True) if e.name == "other-team")
        self.assertEqual(failed.operation_status["statusMessage"], "converting_scheme_failed")
        self.assertEqual(failed.authorization.scheme, "ServicePrincipal")

    def test_conversion_answers_in_progress_and_finishes_in_the_background(self):
        self.emu.configure(federatedCredentialPropagationSeconds=1.5, timeScale=1)
        client = self.client(lambda c: c.get_service_endpoint_client())
        endpoint = client.get_service_endpoint_details("Platform", EID)
        endpoint.authorization.scheme = "WorkloadIdentityFederation"
        from azure.devops.exceptions import AzureDevOpsServiceError
        with self.assertRaises(AzureDevOpsServiceError) as caught:  # no credential yet: issuer and subject stated
            client.update_service_endpoint(endpoint, EID, operation="ConvertAuthenticationScheme")
        self.assertIn("Automatic authentication conversion failed", str(caught.exception))
        stated = client.get_service_endpoint_details("Platform", EID)
        params = stated.authorization.parameters
        created = self.graph("POST", FICS, json={
            "name": "conformance-conversion", "audiences": ["api://AzureADTokenExchange"],
            "issuer": params["workloadIdentityFederationIssuer"], "subject": params["workloadIdentityFederationSubject"]})
        self.assertEqual(created.status_code, 201, created.text)
        stated.authorization.scheme = "WorkloadIdentityFederation"
        answer = client.update_service_endpoint(stated, EID, operation="ConvertAuthenticationScheme")
        self.assertEqual(answer.authorization.scheme, "ServicePrincipal")
        self.assertEqual(answer.operation_status, {"state": "InProgress", "statusMessage": "converting_scheme"})
        self.assertFalse(answer.is_ready)
        time.sleep(1.6)
        done = client.get_service_endpoint_details("Platform", EID)
        self.assertEqual((done.authorization.scheme, done.is_ready), ("WorkloadIdentityFederation", True))

    def test_refusals_reach_the_client_as_azure_devops_words_them(self):
        fx = fixture()
        prod = next(e for e in fx["endpoints"] if e["name"] == "payments-prod")
        prod["organizationAdministrators"] = []
        auto = next(e for e in fx["endpoints"] if e["name"] == "payments-auto")
        auto["operationStatus"] = {"state": "InProgress", "statusMessage": "Updating the service principal"}
        self.emu.reset(fx)
        from azure.devops.exceptions import AzureDevOpsServiceError
        client = self.client(lambda c: c.get_service_endpoint_client())
        endpoint = client.get_service_endpoint_details("Platform", EID)
        endpoint.authorization.parameters["serviceprincipalkey"] = "conformance-new-key"
        with self.assertRaises(AzureDevOpsServiceError) as caught:
            client.update_service_endpoint(endpoint, EID)
        self.assertIn("organization/collection level Administrator of the service endpoint", str(caught.exception))
        busy = client.get_service_endpoint_details("Platform", ENDPOINTS["payments-auto"])
        busy.authorization.scheme = "WorkloadIdentityFederation"
        with self.assertRaises(AzureDevOpsServiceError) as caught:
            client.update_service_endpoint(busy, busy.id, operation="ConvertAuthenticationScheme")
        self.assertIn("Another operation is already in progress", str(caught.exception))

    def test_client_assertion_credential_meets_aadsts70021_until_the_credential_is_honoured(self):
        self.emu.configure(federatedCredentialPropagationSeconds=1.5, timeScale=1)
        self.assertEqual(self.graph("DELETE", FICS + "(name='payments-wif')").status_code, 204)
        self.assertEqual(self.graph("POST", FICS, json={
            "name": "payments-wif-again", "audiences": ["api://AzureADTokenExchange"],
            "issuer": "https://vstoken.dev.azure.com/22222222-2222-2222-2222-222222222222",
            "subject": "sc://contoso/Platform/payments-wif"}).status_code, 201)
        job = self.emu.state()["jobAccessToken"]["token"]

        def assertion():
            r = requests.post(f"{self.base}/ado/contoso/{PROJECT_ID}/_apis/distributedtask/hubs/build/plans/{PLAN_ID}"
                              f"/jobs/{JOB_ID}/oidctoken?api-version=7.1&serviceConnectionId={ENDPOINTS['payments-wif']}",
                              json={}, headers={"Authorization": f"Bearer {job}"}, verify=self.ca)
            return r.json()["oidcToken"]

        def credential():
            return ClientAssertionCredential(TENANT_ID, PAYMENTS_APP_ID, assertion, authority=f"{self.base}/login",
                                             disable_instance_discovery=True, connection_verify=self.ca)

        with self.assertRaises(ClientAuthenticationError) as caught:
            credential().get_token(ARM)
        self.assertIn("AADSTS70021", str(caught.exception))
        time.sleep(1.6)
        self.assertTrue(credential().get_token(ARM).token)

    def test_graph_pages_and_duplicate_credentials_on_the_wire(self):
        self.emu.configure(graphPageSize=2)
        for i in range(3):
            body = {"name": f"conformance-{i}", "audiences": ["api://AzureADTokenExchange"],
                    "issuer": "https://login.microsoftonline.com/t/v2.0", "subject": f"s{i}"}
            self.assertEqual(self.graph("POST", FICS, json=body).status_code, 201)
        names, url = [], FICS
        while url:
            page = self.graph("GET", url).json()
            names += [c["name"] for c in page["value"]]
            url = page.get("@odata.nextLink")
        self.assertEqual(len(names), 4)
        again = self.graph("POST", FICS, json=dict(body, subject="another"))
        self.assertEqual((again.status_code, again.json()["error"]["code"]),
                         (409, "Request_MultipleObjectsWithSameKeyValue"))
        same = self.graph("POST", FICS, json=dict(body, name="another-name"))
        self.assertEqual(same.status_code, 400)
        self.assertIn("already exist", same.json()["error"]["message"])

    def test_key_vault_404_other_than_secret_not_found_keeps_its_code(self):
        good = SecretClient(vault_url=self.base, credential=self.identity, connection_verify=self.ca,
                            verify_challenge_resource=False)
        with self.assertRaises(ResourceNotFoundError) as missing:
            good.get_secret("no-such-secret")
        self.assertEqual(missing.exception.error.code, "SecretNotFound")
        wrong = SecretClient(vault_url=f"{self.base}/kv/no-such-vault", credential=self.identity,
                             connection_verify=self.ca, verify_challenge_resource=False)
        with self.assertRaises(ResourceNotFoundError) as vault:
            wrong.get_secret("no-such-secret")
        self.assertEqual(vault.exception.error.code, "VaultNotFound")


if __name__ == "__main__":
    unittest.main()
