"""Tests of the emulator's answers a dry run's access check relies on (#25): who the caller is
(connectionData), the roles on a service connection (security roles), `actionFilter=manage`, an
application's owners, and the application permission an owner needs to change it.

    python3 -m unittest discover -s scripts/e2e -p 'test_emulator_access.py'
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import ENDPOINTS, OTHER_APP_ID, PAYMENTS_APP_ID, PROJECT_ID, ROTATION_APP_ID  # noqa: E402
from test_emulator import ADO, GRAPH, EmulatorTestCase, _with  # noqa: E402

PROD = ENDPOINTS["payments-prod"]
ROLES = "/ado/contoso/_apis/securityroles/scopes/{scope}/roleassignments/resources/{resource}?api-version=7.1-preview.1"
PROJECT_ROLES = ROLES.format(scope="distributedtask.serviceendpointrole", resource=f"{PROJECT_ID}_{PROD}")
COLLECTION_ROLES = ROLES.format(scope="distributedtask.collection.serviceendpointrole", resource=f"collection_{PROD}")


class AccessTest(EmulatorTestCase):
    def job(self):
        return self.state()["jobAccessToken"]["token"]

    def with_endpoint(self, name, **keys):
        fx = _with(self.emu)
        for e in fx["endpoints"]:
            if e["name"] == name:
                e.update(keys)
        self.emu.reset(fx)

    def test_connection_data_names_the_caller(self):
        s, _, d = self.req("GET", "/ado/contoso/_apis/connectionData?api-version=7.1-preview.1", token=self.job())
        self.assertEqual(s, 200, d)
        self.assertEqual(d["authenticatedUser"]["providerDisplayName"], "Platform Build Service (contoso)")
        self.assertTrue(d["authenticatedUser"]["descriptor"].endswith(f":Build:{PROJECT_ID}"))
        s, _, d = self.req("GET", "/ado/contoso/_apis/connectionData?api-version=7.1-preview.1",
                           token=self.app_token(ADO))
        self.assertEqual(d["authenticatedUser"]["providerDisplayName"], "rotation-automation")
        s, _, d = self.req("GET", "/ado/contoso/_apis/connectionData?api-version=7.1", token=self.job())
        self.assertEqual((s, d["typeKey"]), (400, "VssInvalidPreviewVersionException"))

    def test_role_assignments_at_both_scopes(self):
        job = self.job()
        me = self.req("GET", "/ado/contoso/_apis/connectionData?api-version=7.1-preview.1", token=job)[2]
        s, _, d = self.req("GET", PROJECT_ROLES, token=job)
        self.assertEqual(s, 200, d)
        self.assertEqual([(a["identity"]["displayName"], a["role"]["name"], a["access"]) for a in d["value"]],
                         [("[Platform]\\Endpoint Administrators", "Administrator", "inherited")])
        self.with_endpoint("payments-prod", roleAssignments=[{"identity": "build-service", "role": "Reader"}],
                           organizationAdministrators=[ROTATION_APP_ID])
        d = self.req("GET", PROJECT_ROLES, token=job)[2]
        mine = [a for a in d["value"] if a["identity"]["id"] == me["authenticatedUser"]["id"]]
        self.assertEqual([(a["role"]["name"], a["access"]) for a in mine], [("Reader", "assigned")])
        d = self.req("GET", COLLECTION_ROLES, token=job)[2]
        self.assertEqual([(a["identity"]["displayName"], a["role"]["name"]) for a in d["value"]],
                         [("rotation-automation", "Administrator")])
        s, _, d = self.req("GET", PROJECT_ROLES.replace("7.1-preview.1", "7.1"), token=job)
        self.assertEqual((s, d["typeKey"]), (400, "VssInvalidPreviewVersionException"))

    def test_action_filter_manage_and_an_assigned_administrator(self):
        job = self.job()
        url = f"/ado/contoso/Platform/_apis/serviceendpoint/endpoints/{PROD}?actionFilter=manage&api-version=7.1"
        s, _, raw = self.emu.request("GET", url, headers={"Authorization": f"Bearer {job}"})
        self.assertEqual((s, raw), (200, b"null"))
        self.assertEqual(self.req("GET", url, token=self.app_token(ADO))[2]["name"], "payments-prod")
        self.with_endpoint("payments-prod", roleAssignments=[{"identity": "build-service", "role": "Administrator"}])
        _, _, ep = self.req("GET", url, token=job)
        self.assertEqual(ep["name"], "payments-prod")
        s, _, d = self.req("PUT", f"/ado/contoso/_apis/serviceendpoint/endpoints/{PROD}?api-version=7.1", body=ep,
                           token=job)
        self.assertEqual(s, 200, d)

    def test_owners_and_the_permission_an_owner_needs(self):
        tok = self.app_token(GRAPH)
        s, _, d = self.req("GET", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/owners", token=tok)
        self.assertEqual(s, 200, d)
        self.assertEqual({(o["@odata.type"], o["id"]) for o in d["value"]},
                         {("#microsoft.graph.servicePrincipal", "cccccccc-0001-4000-8000-000000000001"),
                          ("#microsoft.graph.servicePrincipal", "cccccccc-0005-4000-8000-000000000005")})
        s, _, d = self.req("GET", f"/graph/v1.0/applications(appId='{OTHER_APP_ID}')/owners", token=tok)
        self.assertEqual((s, d["error"]["code"]), (403, "Authorization_RequestDenied"))
        fx = _with(self.emu)
        next(a for a in fx["apps"] if a["appId"] == ROTATION_APP_ID)["roles"] = []
        self.emu.reset(fx)
        s, _, d = self.req("POST", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/addPassword", body={},
                           token=self.app_token(GRAPH))
        self.assertEqual((s, d["error"]["code"]), (403, "Authorization_RequestDenied"))


if __name__ == "__main__":
    unittest.main()
