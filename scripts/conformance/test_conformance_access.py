"""Conformance for issue #25 (a dry run that checks access): Microsoft's own clients read the emulator's answers.

- azure-devops: `LocationClient.get_connection_data` (who the job token stands for),
  `ServiceEndpointClient.get_service_endpoint_details(action_filter="manage")` (null unless the caller may manage
  the connection), and the security roles through the client's own request machinery (`Client._send` with the
  resource location 9461c234-…, version 7.1-preview.1, route values scopeId and resourceId): the Python client has no
  security-roles client, so its location lookup and route template are what is proven here.
- Graph has no client among ours: an application's owners are checked on the wire with azure-identity's token.

Run with scripts/conformance/run.sh. The loopback knobs are the ones test_conformance.py documents."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import (DEFAULT_FIXTURE, ENDPOINTS, PAYMENTS_APP_ID, PROJECT_ID, ROTATION_APP_ID,  # noqa: E402
                     ROTATION_APP_SECRET, TENANT_ID)
from conformance_support import devops_connection, trusted_emulator  # noqa: E402

import requests  # noqa: E402
from azure.identity import ClientSecretCredential  # noqa: E402

GRAPH = "https://graph.microsoft.com/.default"
EID = ENDPOINTS["payments-prod"]
ROLE_ASSIGNMENTS_LOCATION = "9461c234-c84c-4ed2-b918-2f0f92ad0a35"


def fixture(**endpoint_keys) -> dict:
    with open(DEFAULT_FIXTURE) as f:
        fx = json.load(f)
    for e in fx["endpoints"]:
        if e["name"] == "payments-prod":
            e.update(endpoint_keys)
    return fx


class AccessConformanceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = trusted_emulator()
        cls.base, cls.ca = cls.emu.base_url, cls.emu.ca_file

    def setUp(self):
        self.emu.reset()

    def client(self, token: str, getter):
        client = getter(devops_connection(self.emu, token).clients_v7_1)
        client._client.config.connection.verify = self.ca
        return client

    def job(self) -> str:
        return self.emu.state()["jobAccessToken"]["token"]

    def role_assignments(self, token: str, scope: str, resource: str) -> list:
        client = self.client(token, lambda c: c.get_location_client())
        response = client._send(http_method="GET", location_id=ROLE_ASSIGNMENTS_LOCATION, version="7.1-preview.1",
                                route_values={"scopeId": scope, "resourceId": resource})
        return client._unwrap_collection(response)

    def test_connection_data_names_the_build_service(self):
        data = self.client(self.job(), lambda c: c.get_location_client()).get_connection_data()
        self.assertEqual(data.authenticated_user.provider_display_name, "Platform Build Service (contoso)")
        self.assertEqual(data.deployment_type, "hosted")

    def test_action_filter_manage_answers_null_unless_the_caller_administers(self):
        endpoints = self.client(self.job(), lambda c: c.get_service_endpoint_client())
        self.assertIsNone(endpoints.get_service_endpoint_details("Platform", EID, action_filter="manage"))
        self.assertEqual(endpoints.get_service_endpoint_details("Platform", EID).name, "payments-prod")
        self.emu.reset(fixture(roleAssignments=[{"identity": "build-service", "role": "Administrator"}]))
        self.assertEqual(endpoints.get_service_endpoint_details("Platform", EID, action_filter="manage").name,
                         "payments-prod")

    def test_role_assignments_through_the_clients_location_lookup(self):
        self.emu.reset(fixture(roleAssignments=[{"identity": "build-service", "role": "Reader"}],
                               organizationAdministrators=[ROTATION_APP_ID]))
        job = self.job()
        me = self.client(job, lambda c: c.get_location_client()).get_connection_data().authenticated_user.id
        project = self.role_assignments(job, "distributedtask.serviceendpointrole", f"{PROJECT_ID}_{EID}")
        self.assertIn((me, "Reader", "assigned"),
                      [(a["identity"]["id"], a["role"]["name"], a["access"]) for a in project])
        collection = self.role_assignments(job, "distributedtask.collection.serviceendpointrole", f"collection_{EID}")
        self.assertEqual([(a["identity"]["displayName"], a["role"]["name"]) for a in collection],
                         [("rotation-automation", "Administrator")])
        paths = [r["path"] for r in self.emu.requests() if "securityroles" in r["path"]]
        self.assertEqual(paths[0], "/ado/contoso/_apis/securityroles/scopes/distributedtask.serviceendpointrole/"
                                   f"roleassignments/resources/{PROJECT_ID}_{EID}")

    def test_owners_of_an_application(self):
        identity = ClientSecretCredential(TENANT_ID, ROTATION_APP_ID, ROTATION_APP_SECRET,
                                          authority=f"{self.base}/login", disable_instance_discovery=True,
                                          connection_verify=self.ca)
        token = identity.get_token(GRAPH).token
        r = requests.get(f"{self.base}/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/owners",
                         headers={"Authorization": f"Bearer {token}"}, verify=self.ca)
        self.assertEqual(r.status_code, 200, r.text)
        owners = {o["id"] for o in r.json()["value"] if o["@odata.type"] == "#microsoft.graph.servicePrincipal"}
        self.assertIn("cccccccc-0001-4000-8000-000000000001", owners)


if __name__ == "__main__":
    unittest.main()
