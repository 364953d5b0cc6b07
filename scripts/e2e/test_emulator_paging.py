"""The emulator's paged lists (issue #23): Core - Projects - List (`x-ms-continuationtoken`), service endpoints
with and without `includeFailed`, and Graph collections (`@odata.nextLink`). Stdlib only."""

import copy
import json
import unittest
import urllib.parse

from harness import default_fixture, ENDPOINTS, Emulator

ADO = "499b84ac-1321-427f-aa17-267ca6975798/.default"
GRAPH = "https://graph.microsoft.com/.default"
PAYMENTS_OBJECT_ID = "bbbbbbbb-0003-4000-8000-000000000003"
FICS = f"/graph/v1.0/applications/{PAYMENTS_OBJECT_ID}/federatedIdentityCredentials"


def many_projects(count: int) -> dict:
    """The default world with `count` projects (Platform first)."""
    fx = default_fixture()
    fx["organization"]["projects"] += [{"name": f"project-{i:03d}", "id": f"44444444-0000-4000-8000-{i:012d}"}
                                       for i in range(1, count)]
    return fx


class EmulatorPagingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()

    def setUp(self):
        self.emu.reset()

    def call(self, method, path, scope=ADO, body=None):
        token = self.emu.token(scope)
        status, headers, raw = self.emu.request(method, path, body=body, headers={"Authorization": f"Bearer {token}"})
        return status, {k.lower(): v for k, v in headers.items()}, (json.loads(raw) if raw else None)

    def test_projects_come_in_pages_of_at_most_100(self):
        self.emu.reset(many_projects(130))
        status, headers, first = self.call("GET", "/ado/contoso/_apis/projects?api-version=7.1")
        self.assertEqual(status, 200)
        self.assertEqual((first["count"], len(first["value"])), (100, 100))
        token = headers["x-ms-continuationtoken"]
        status, headers, second = self.call(
            "GET", f"/ado/contoso/_apis/projects?api-version=7.1&continuationToken={urllib.parse.quote(token)}")
        self.assertEqual((status, len(second["value"])), (200, 30))
        self.assertNotIn("x-ms-continuationtoken", headers)
        names = [p["name"] for p in first["value"] + second["value"]]
        self.assertEqual(len(set(names)), 130)
        # $top asks for smaller pages; more than 100 is still 100
        _, headers, small = self.call("GET", "/ado/contoso/_apis/projects?api-version=7.1&$top=40")
        self.assertEqual((len(small["value"]), headers.get("x-ms-continuationtoken")), (40, "40"))
        _, _, big = self.call("GET", "/ado/contoso/_apis/projects?api-version=7.1&$top=500")
        self.assertEqual(len(big["value"]), 100)
        status, _, body = self.call("GET", "/ado/contoso/_apis/projects?api-version=7.1&continuationToken=x")
        self.assertEqual((status, body["typeKey"]), (400, "ArgumentException"))

    def test_failed_connections_are_listed_only_with_include_failed(self):
        fx = default_fixture()
        failed = next(e for e in fx["endpoints"] if e["name"] == "other-team")
        failed["operationStatus"] = {"state": "Failed", "statusMessage": "converting_scheme_failed"}
        self.emu.reset(fx)
        base = "/ado/contoso/Platform/_apis/serviceendpoint/endpoints?api-version=7.1"
        for query, listed in (("", False), ("&includeFailed=false", False), ("&includeFailed=true", True)):
            _, _, page = self.call("GET", base + query)
            self.assertEqual("other-team" in {e["name"] for e in page["value"]}, listed, query)
            _, _, named = self.call("GET", base + "&endpointNames=other-team" + query)
            self.assertEqual(named["count"], 1 if listed else 0, query)
        # the failed conversion left it on its secret
        stored = next(e for e in self.emu.state()["endpoints"] if e["id"] == ENDPOINTS["other-team"])
        self.assertEqual(stored["authorization"]["scheme"], "ServicePrincipal")
        self.assertTrue(stored["authorization"]["parameters"]["serviceprincipalkey"])

    def test_federated_credentials_follow_next_link(self):
        self.emu.configure(graphPageSize=3)
        for i in range(6):  # the fixture app has one already: 7 in all
            body = {"name": f"fic-{i}", "issuer": "https://login.microsoftonline.com/t/v2.0", "subject": f"s{i}",
                    "audiences": ["api://AzureADTokenExchange"]}
            self.assertEqual(self.call("POST", FICS, GRAPH, body)[0], 201)
        names, url, pages = [], FICS, 0
        while url:
            status, _, page = self.call("GET", url, GRAPH)
            self.assertEqual(status, 200, page)
            names += [c["name"] for c in page["value"]]
            url = page.get("@odata.nextLink")
            if url:
                self.assertTrue(url.startswith(self.emu.base_url + "/graph/v1.0/"), url)
            pages += 1
        self.assertEqual((pages, len(names), len(set(names))), (3, 7, 7))
        _, _, topped = self.call("GET", FICS + "?$top=2", GRAPH)
        self.assertEqual(len(topped["value"]), 2)
        self.assertIn("$top=2", topped["@odata.nextLink"])

    def test_default_page_size_pages_the_credentials_of_a_busy_application(self):
        self.assertEqual(self.emu.state()["config"]["graphPageSize"], 5)
        _, _, page = self.call("GET", FICS, GRAPH)
        self.assertNotIn("@odata.nextLink", page)  # one credential: one page


if __name__ == "__main__":
    unittest.main()
