"""Conformance: drive the emulator with Microsoft's own clients.

If a Microsoft client can't talk to the emulator, the emulator is wrong (fix it there).
Run with scripts/conformance/run.sh (it creates the venv with the pinned packages).

Loopback-specific client settings, all documented knobs of the libraries themselves:
- msal: validate_authority=False / instance_discovery=False (no login.microsoftonline.com lookup), verify=<CA>.
  MSAL's ROPC "user realm discovery" goes to https://<host-without-port>/common/userrealm/...; on a
  loopback port that is unreachable, so the host is put in MSAL's own "no user realm discovery" set,
  which is exactly what MSAL does itself after a 404 there.
- azure-identity: authority=<base>/login, disable_instance_discovery=True, connection_verify=<CA>.
- azure-keyvault-secrets: verify_challenge_resource=False (the vault is not on *.vault.azure.net), and
  vault_url = the emulator's root alias {base} (the SDK only parses ids shaped {host}/secrets/{name}/{version},
  so the path-prefixed {base}/kv/kv-rotation can't be used with it).
- requests: REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE/SSL_CERT_FILE are set to the emulator's CA (conformance_support), because requests
  lets those variables override a session's `verify`.

Microsoft ships no Python client for the PAT Lifecycle API (azure-devops has none) and the task does not use
Graph's SDK shapes, so those routes are driven with `requests` and tokens from msal; the assertions are the
documented wire contract (specs under shared/specs, see scripts/emulator/README.md). Each consistency test
sets the switches it relies on, so it fails when the emulator loses the behaviour (a reverted row of issue #14).
"""

import base64
import json
import os
import sys
import time
import unittest
import uuid
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import (BOT_PASSWORD, BOT_USER, ENDPOINTS, JOB_ID, PAT_CLIENT_ID, PAYMENTS_APP_ID,  # noqa: E402
                     PLAN_ID, PROJECT_ID, ROTATION_APP_ID, ROTATION_APP_SECRET, TENANT_ID, WIF_APP_ID, task_env)
from conformance_support import devops_connection, trusted_emulator  # noqa: E402

import msal  # noqa: E402
import msal.authority  # noqa: E402
import requests  # noqa: E402
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError  # noqa: E402
from azure.identity import AzurePipelinesCredential, ClientSecretCredential  # noqa: E402
from azure.keyvault.secrets import SecretClient  # noqa: E402

ADO = "499b84ac-1321-427f-aa17-267ca6975798/.default"
GRAPH = "https://graph.microsoft.com/.default"
KV = "https://vault.azure.net/.default"
PV = "7.1-preview.1"


def jwt_claims(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def msal_public(test) -> msal.PublicClientApplication:
    return msal.PublicClientApplication(PAT_CLIENT_ID, authority=f"{test.base}/login/{TENANT_ID}",
                                        validate_authority=False, instance_discovery=False, verify=test.ca)


def msal_confidential(test, client_id=ROTATION_APP_ID, secret=ROTATION_APP_SECRET) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        client_id, client_credential=secret, authority=f"{test.base}/login/{TENANT_ID}", validate_authority=False,
        instance_discovery=False, verify=test.ca, token_cache=msal.TokenCache())


def user_ado_token(test) -> str:
    r = msal_public(test).acquire_token_by_username_password(BOT_USER, BOT_PASSWORD, scopes=[ADO])
    test.assertIn("access_token", r, r)
    return r["access_token"]


def pat_api(test, method: str, token: str | None = None, params: dict | None = None, **kw) -> requests.Response:
    """The PAT Lifecycle API (no Microsoft client exists for it) with the bot's ROPC token from msal."""
    headers = {"Authorization": f"Bearer {token or user_ado_token(test)}", **kw.pop("headers", {})}
    return requests.request(method, f"{test.base}/vssps/contoso/_apis/tokens/pats",
                            params={"api-version": PV, **(params or {})}, headers=headers, verify=test.ca,
                            allow_redirects=False, **kw)


class ConformanceBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = trusted_emulator()
        cls.base = cls.emu.base_url
        cls.ca = cls.emu.ca_file
        msal.authority.Authority._domains_without_user_realm_discovery.add("127.0.0.1")

    def setUp(self):
        self.emu.reset()


class MsalTests(ConformanceBase):
    def cca(self, secret=ROTATION_APP_SECRET):
        return msal.ConfidentialClientApplication(
            ROTATION_APP_ID, client_credential=secret, authority=f"{self.base}/login/{TENANT_ID}",
            validate_authority=False, instance_discovery=False, verify=self.ca, token_cache=msal.TokenCache())

    def test_client_credentials_each_resource(self):
        app = self.cca()
        for scope in (ADO, "https://graph.microsoft.com/.default", "https://vault.azure.net/.default"):
            r = app.acquire_token_for_client(scopes=[scope])
            self.assertIn("access_token", r, r)
            self.assertEqual(r["token_type"], "Bearer")
        kinds = sorted(t["audience"] for t in self.emu.state()["tokens"])
        self.assertEqual(kinds, ["ado", "graph", "kv"])

    def test_bad_secret_error_is_understood(self):
        r = self.cca("wrong").acquire_token_for_client(scopes=["https://vault.azure.net/.default"])
        self.assertEqual(r.get("error"), "invalid_client")
        self.assertEqual(r.get("error_codes"), [7000215])

    def test_ropc_public_client(self):
        app = msal.PublicClientApplication(PAT_CLIENT_ID, authority=f"{self.base}/login/{TENANT_ID}",
                                           validate_authority=False, instance_discovery=False, verify=self.ca)
        r = app.acquire_token_by_username_password(BOT_USER, BOT_PASSWORD, scopes=[ADO])
        self.assertIn("access_token", r, r)
        self.assertIn("refresh_token", r)
        r = app.acquire_token_by_username_password(BOT_USER, "wrong", scopes=[ADO])
        self.assertEqual((r.get("error"), r.get("error_codes")), ("invalid_grant", [50126]))
        r = app.acquire_token_by_username_password("mfa-user@contoso.onmicrosoft.com", "Fixture-Mfa-Password-1!",
                                                   scopes=[ADO])
        self.assertEqual(r.get("error"), "interaction_required")
        # the ROPC token is a user token: the PAT API accepts it
        app2 = msal.PublicClientApplication(PAT_CLIENT_ID, authority=f"{self.base}/login/{TENANT_ID}",
                                            validate_authority=False, instance_discovery=False, verify=self.ca)
        tok = app2.acquire_token_by_username_password(BOT_USER, BOT_PASSWORD, scopes=[ADO])["access_token"]
        status, _, body = self.emu.request("GET", "/vssps/contoso/_apis/tokens/pats?api-version=7.1-preview.1",
                                           headers={"Authorization": f"Bearer {tok}"})
        self.assertEqual(status, 200, body)


class KeyVaultTests(ConformanceBase):
    def client(self):
        cred = ClientSecretCredential(TENANT_ID, ROTATION_APP_ID, ROTATION_APP_SECRET, authority=f"{self.base}/login",
                                      disable_instance_discovery=True, connection_verify=self.ca)
        return SecretClient(vault_url=self.base, credential=cred, connection_verify=self.ca,
                            verify_challenge_resource=False)

    def test_set_get_versions_update(self):
        from datetime import datetime, timedelta, timezone
        c = self.client()
        exp = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
        versions = []
        for i in range(4):
            s = c.set_secret("conformance-secret", f"value-{i}", content_type="text/plain", tags={"i": str(i)},
                             expires_on=exp)
            versions.append(s.properties.version)
            self.assertEqual(s.value, f"value-{i}")
            self.assertEqual(s.properties.expires_on, exp)
            self.assertEqual(s.properties.tags, {"i": str(i)})
            self.assertEqual(s.properties.content_type, "text/plain")
        got = c.get_secret("conformance-secret")
        self.assertEqual((got.value, got.properties.version), ("value-3", versions[-1]))
        self.assertEqual(c.get_secret("conformance-secret", versions[0]).value, "value-0")
        listed = [p.version for p in c.list_properties_of_secret_versions("conformance-secret", max_page_size=3)]
        self.assertEqual(sorted(listed), sorted(versions))
        pages = [r for r in self.emu.requests() if r["path"].endswith("/conformance-secret/versions")]
        self.assertEqual(len(pages), 2)  # 4 versions, 3 per page: nextLink followed once
        p = c.update_secret_properties("conformance-secret", versions[-1], enabled=False, tags={"state": "old"})
        self.assertEqual((p.enabled, p.tags), (False, {"state": "old"}))
        with self.assertRaises(HttpResponseError) as cm:  # the newest version is disabled: 403, no fallback
            c.get_secret("conformance-secret")
        self.assertEqual(cm.exception.status_code, 403)
        self.assertEqual(cm.exception.error.code, "Forbidden")
        self.assertIn("SecretDisabled", str(cm.exception))
        self.assertEqual(c.get_secret("conformance-secret", versions[-2]).value, "value-2")
        names = [s.name for s in c.list_properties_of_secrets()]
        self.assertIn("conformance-secret", names)
        self.assertIn("payments-prod-secret", names)

    def test_errors(self):
        c = self.client()
        with self.assertRaises(ResourceExistsError) as cm:
            c.set_secret("soft-deleted-name", "x")
        self.assertEqual(cm.exception.status_code, 409)
        self.assertIn("ObjectIsDeletedButRecoverable", str(cm.exception))
        with self.assertRaises(ResourceNotFoundError):
            c.get_secret("does-not-exist")
        with self.assertRaises(HttpResponseError) as cm:
            c.set_secret("bad_name", "x")
        self.assertEqual(cm.exception.status_code, 400)

    def test_rbac_forbidden(self):
        st = self.emu.state()
        pay = next(a for a in st["apps"] if a["displayName"] == "payments-deployer")
        cred = ClientSecretCredential(TENANT_ID, pay["appId"], pay["passwordCredentials"][0]["secretText"],
                                      authority=f"{self.base}/login", disable_instance_discovery=True,
                                      connection_verify=self.ca)
        c = SecretClient(vault_url=self.base, credential=cred, connection_verify=self.ca,
                         verify_challenge_resource=False)
        with self.assertRaises(HttpResponseError) as cm:
            c.set_secret("x", "y")
        self.assertEqual(cm.exception.status_code, 403)
        self.assertIn("ForbiddenByRbac", str(cm.exception))


class AzureDevOpsTests(ConformanceBase):
    def client(self, pat):
        from azure.devops.connection import Connection
        from msrest.authentication import BasicAuthentication
        conn = Connection(base_url=f"{self.base}/ado/contoso", creds=BasicAuthentication("", pat))
        conn._client.config.connection.verify = self.ca
        c = conn.clients_v7_1.get_service_endpoint_client()
        c._client.config.connection.verify = self.ca
        return c

    def live_pat(self, scope="vso.serviceendpoint_manage"):
        """A PAT created through the PAT API with the scope the route needs."""
        r = pat_api(self, "POST", json={"displayName": "conformance-" + scope, "scope": scope})
        self.assertEqual(r.json()["patTokenError"], "none", r.text)
        return r.json()["patToken"]["token"]

    def test_get_by_names_and_update(self):
        c = self.client(self.live_pat())
        eps = c.get_service_endpoints_by_names("Platform", ["payments-prod", "payments-auto"])
        self.assertEqual(sorted(e.name for e in eps), ["payments-auto", "payments-prod"])
        ep = next(e for e in eps if e.name == "payments-prod")
        self.assertEqual(ep.id, ENDPOINTS["payments-prod"])
        self.assertNotIn("serviceprincipalkey", ep.authorization.parameters)
        self.assertEqual(ep.service_endpoint_project_references[0].project_reference.name, "Platform")
        new_key = "conformance-" + uuid.uuid4().hex
        ep.authorization.parameters["serviceprincipalkey"] = new_key
        updated = c.update_service_endpoint(ep, ep.id)
        self.assertTrue(updated.is_ready)
        self.assertIsNone(updated.authorization.parameters.get("serviceprincipalkey"))
        stored = next(e for e in self.emu.state()["endpoints"] if e["name"] == "payments-prod")
        self.assertEqual(stored["authorization"]["parameters"]["serviceprincipalkey"], new_key)
        put = [r for r in self.emu.requests() if r["method"] == "PUT"]
        self.assertEqual(put[-1]["path"], f"/ado/contoso/_apis/serviceendpoint/endpoints/{ep.id}")

    def test_automatic_rejected_with_vss_error(self):
        from azure.devops.exceptions import AzureDevOpsServiceError
        c = self.client(self.live_pat())
        ep = c.get_service_endpoints_by_names("Platform", ["payments-auto"])[0]
        ep.authorization.parameters["serviceprincipalkey"] = "conformance-new-key"
        with self.assertRaises(AzureDevOpsServiceError) as cm:
            c.update_service_endpoint(ep, ep.id)
        self.assertIn("Manual", str(cm.exception))

    def test_not_found_by_name(self):
        c = self.client(self.live_pat())
        self.assertEqual(c.get_service_endpoints_by_names("Platform", ["nope"]), [])

    def test_details_by_id_and_unknown_id(self):
        c = self.client(self.live_pat())
        ep = c.get_service_endpoint_details("Platform", ENDPOINTS["payments-prod"])
        self.assertIsNone(ep.authorization.parameters["serviceprincipalkey"])  # secrets come back null
        self.assertIsNone(c.get_service_endpoint_details("Platform", str(uuid.uuid4())))  # 200 null

    def test_route_scopes(self):
        """A PAT without the route's scope is refused (401); vso.serviceendpoint reads but cannot update."""
        from azure.devops.exceptions import AzureDevOpsServiceError
        self.emu.configure(adoScopes=True)
        with self.assertRaises(AzureDevOpsServiceError) as cm:
            self.client(self.live_pat("vso.code")).get_service_endpoints_by_names("Platform", ["payments-prod"])
        self.assertIn("TF400813", str(cm.exception))
        reader = self.client(self.live_pat("vso.serviceendpoint"))
        ep = reader.get_service_endpoints_by_names("Platform", ["payments-prod"])[0]
        ep.authorization.parameters["serviceprincipalkey"] = "conformance-" + uuid.uuid4().hex
        with self.assertRaises(AzureDevOpsServiceError):
            reader.update_service_endpoint(ep, ep.id)
        self.assertTrue(self.client(self.live_pat()).update_service_endpoint(ep, ep.id).is_ready)

    def test_api_version_and_media_type(self):
        self.emu.configure(adoApiVersion=True, adoMediaType=True)
        h = {"Authorization": "Basic " + base64.b64encode(f":{self.live_pat()}".encode()).decode()}
        url = f"{self.base}/ado/contoso/Platform/_apis/serviceendpoint/endpoints?endpointNames=payments-prod"
        for query, key in (("", "VssVersionNotSpecifiedException"), ("&api-version=7.2",
                                                                     "VssInvalidPreviewVersionException")):
            r = requests.get(url + query, headers=h, verify=self.ca)
            self.assertEqual((r.status_code, r.json()["typeKey"]), (400, key))
        eid = ENDPOINTS["payments-prod"]
        r = requests.put(f"{self.base}/ado/contoso/_apis/serviceendpoint/endpoints/{eid}?api-version=7.1",
                         data=b"{}", headers={**h, "Content-Type": "text/plain"}, verify=self.ca)
        self.assertEqual(r.status_code, 415)

    def test_oidc_token_through_the_task_client(self):
        conn = devops_connection(self.emu, self.emu.state()["jobAccessToken"]["token"])
        c = conn.clients_v7_1.get_task_client()
        c._client.config.connection.verify = self.ca
        tok = c.create_oidc_token({}, PROJECT_ID, "build", PLAN_ID, JOB_ID, ENDPOINTS["rotation-wif"])
        claims = jwt_claims(tok.oidc_token)
        self.assertEqual((claims["sub"], claims["aud"]), ("sc://contoso/Platform/rotation-wif",
                                                          "api://AzureADTokenExchange"))


class MsalAccountTests(ConformanceBase):
    def test_ropc_answer_makes_an_msal_account(self):
        """msal builds its account from id_token + client_info; without them get_accounts() stays empty."""
        app = msal_public(self)
        r = app.acquire_token_by_username_password(BOT_USER, BOT_PASSWORD, scopes=[ADO])
        self.assertIn("id_token_claims", r, r)
        self.assertEqual(r["id_token_claims"]["preferred_username"], BOT_USER)
        accounts = app.get_accounts(username=BOT_USER)
        self.assertEqual(len(accounts), 1)
        self.assertTrue(accounts[0]["home_account_id"].endswith("." + TENANT_ID))
        silent = app.acquire_token_silent([ADO], account=accounts[0], force_refresh=True)  # refresh_token grant
        self.assertIn("access_token", silent, silent)


class WorkloadIdentityTests(ConformanceBase):
    def test_azure_pipelines_credential(self):
        env = task_env(self.emu)
        os.environ["SYSTEM_OIDCREQUESTURI"] = env["SYSTEM_OIDCREQUESTURI"]
        cred = AzurePipelinesCredential(tenant_id=TENANT_ID, client_id=WIF_APP_ID,
                                        service_connection_id=ENDPOINTS["rotation-wif"],
                                        system_access_token=env["SYSTEM_ACCESSTOKEN"], authority=f"{self.base}/login",
                                        disable_instance_discovery=True, connection_verify=self.ca)
        tok = cred.get_token(GRAPH)
        self.assertEqual(jwt_claims(tok.token)["appid"], WIF_APP_ID)
        oidc = [r for r in self.emu.requests() if r["path"].endswith("/oidctoken")]
        self.assertEqual([r["status"] for r in oidc], [200])
        wrong = AzurePipelinesCredential(tenant_id=TENANT_ID, client_id=PAYMENTS_APP_ID,  # subject mismatch
                                         service_connection_id=ENDPOINTS["rotation-wif"],
                                         system_access_token=env["SYSTEM_ACCESSTOKEN"],
                                         authority=f"{self.base}/login", disable_instance_discovery=True,
                                         connection_verify=self.ca)
        from azure.core.exceptions import ClientAuthenticationError
        with self.assertRaises(ClientAuthenticationError) as cm:
            wrong.get_token(GRAPH)
        self.assertIn("AADSTS700213", str(cm.exception))


class PatApiTests(ConformanceBase):
    def test_create_get_update_revoke(self):
        tok = user_ado_token(self)
        far = (datetime.now(timezone.utc) + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        r = pat_api(self, "POST", tok, json={"displayName": "conformance", "scope": "vso.code", "validTo": far,
                                             "allOrgs": False})
        self.assertEqual(r.status_code, 200)
        created = r.json()
        self.assertEqual(created["patTokenError"], "none")
        pat = created["patToken"]
        self.assertRegex(pat["token"], r"^[a-z0-9]{52}$")
        valid_to = datetime.fromisoformat(pat["validTo"].replace("Z", "+00:00"))
        self.assertLess(valid_to, datetime.now(timezone.utc) + timedelta(days=181))  # clamped by the policy
        got = pat_api(self, "GET", tok, params={"authorizationId": pat["authorizationId"]}).json()
        self.assertEqual((got["patTokenError"], got["patToken"]["token"]), ("none", None))
        upd = pat_api(self, "PUT", tok, json={"authorizationId": pat["authorizationId"], "displayName": "renamed"})
        self.assertEqual((upd.json()["patTokenError"], upd.json()["patToken"]["displayName"]), ("none", "renamed"))
        self.assertIsNone(upd.json()["patToken"]["token"])
        r = pat_api(self, "DELETE", tok, params={"authorizationId": pat["authorizationId"]})
        self.assertEqual((r.status_code, r.content), (204, b""))
        r = pat_api(self, "PUT", tok, json={"authorizationId": pat["authorizationId"], "displayName": "again"})
        self.assertEqual(r.json(), {"patToken": None, "patTokenError": "authorizationNotFound"})

    def test_revoke_of_a_revoked_pat_both_answers(self):
        tok = user_ado_token(self)
        revoked = next(p for p in self.emu.state()["pats"] if p["displayName"] == "revoked-one")["authorizationId"]
        self.emu.configure(patRevokeRevoked="noContent")
        self.assertEqual(pat_api(self, "DELETE", tok, params={"authorizationId": revoked}).status_code, 204)
        self.emu.configure(patRevokeRevoked="authorizationNotFound")
        r = pat_api(self, "DELETE", tok, params={"authorizationId": revoked})
        self.assertEqual((r.status_code, r.json()["patTokenError"]), (200, "authorizationNotFound"))

    def test_paging_and_dates(self):
        self.emu.configure(patPageSize=2, dateStyle="service")
        tok = user_ado_token(self)
        names, token, pages = [], None, 0
        while True:
            params = {"displayFilterOption": "all", **({"continuationToken": token} if token else {})}
            page = pat_api(self, "GET", tok, params=params).json()
            names += [p["displayName"] for p in page["patTokens"]]
            for p in page["patTokens"]:
                datetime.fromisoformat(p["validTo"].replace("Z", "+00:00"))
                self.assertNotRegex(p["validTo"], r"0Z$")  # Azure DevOps trims fractional digits
            token, pages = page["continuationToken"], pages + 1
            if not token:
                break
        self.assertEqual((len(names), len(set(names)), pages), (8, 8, 4))

    def test_pat_token_errors_in_200(self):
        tok = user_ado_token(self)
        for body, err in (({"displayName": "", "scope": "vso.code"}, "displayNameRequired"),
                          ({"displayName": "x", "scope": "vso.nope"}, "invalidScope"),
                          ({"displayName": "x", "scope": "vso.code", "validTo": "2001-01-01T00:00:00Z"},
                           "invalidValidTo")):
            r = pat_api(self, "POST", tok, json=body)
            self.assertEqual((r.status_code, r.json()), (200, {"patToken": None, "patTokenError": err}))

    def test_sign_in_page_and_app_token_redirect(self):
        r = pat_api(self, "GET", "not-a-token")
        self.assertEqual((r.status_code, r.headers["Content-Type"].split(";")[0]), (203, "text/html"))
        r = pat_api(self, "GET", "not-a-token", headers={"X-TFS-FedAuthRedirect": "Suppress"})
        self.assertEqual((r.status_code, r.json()["typeKey"]), (401, "UnauthorizedRequestException"))
        app_token = msal_confidential(self).acquire_token_for_client(scopes=[ADO])["access_token"]
        r = pat_api(self, "GET", app_token)
        self.assertEqual(r.status_code, 302)
        self.assertIn("_signin", r.headers["Location"])

    def test_api_version_media_type_and_scopes(self):
        self.emu.configure(adoMediaType=True, adoScopes=True)
        tok = user_ado_token(self)
        r = requests.get(f"{self.base}/vssps/contoso/_apis/tokens/pats", headers={"Authorization": f"Bearer {tok}"},
                         verify=self.ca)
        self.assertEqual((r.status_code, r.json()["typeKey"]), (400, "VssVersionNotSpecifiedException"))
        r = pat_api(self, "GET", tok, params={"api-version": "7.1"})
        self.assertEqual(r.json()["typeKey"], "VssInvalidPreviewVersionException")
        r = pat_api(self, "POST", tok, data=b'{"displayName": "x", "scope": "vso.code"}',
                    headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status_code, 415)
        legacy = msal_confidential(self).acquire_token_by_username_password(BOT_USER, BOT_PASSWORD, scopes=[ADO])
        self.assertIn("access_token", legacy, legacy)  # user_impersonation only: no vso.pats consent
        self.assertEqual(pat_api(self, "GET", legacy["access_token"]).status_code, 401)


class GraphBase(ConformanceBase):
    APP = f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')"

    def graph(self, method, path, token=None, **kw):
        token = token or msal_confidential(self).acquire_token_for_client(scopes=[GRAPH])["access_token"]
        return requests.request(method, self.base + path, headers={"Authorization": f"Bearer {token}"},
                                verify=self.ca, **kw)

    def add(self, token, **pc):
        pc.setdefault("endDateTime", (datetime.now(timezone.utc) + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        r = self.graph("POST", self.APP + "/addPassword", token, json={"passwordCredential": pc})
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()


class GraphTests(GraphBase):
    def test_add_filter_remove_and_errors(self):
        self.emu.configure(graphReadLagSeconds=0, dateStyle="service")
        tok = msal_confidential(self).acquire_token_for_client(scopes=[GRAPH])["access_token"]
        end = (datetime.now(timezone.utc) + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
        new = self.add(tok, displayName="conformance", endDateTime=end)
        self.assertEqual((new["hint"], new["endDateTime"]), (new["secretText"][:3], end))  # Graph echoes the date
        r = self.graph("GET", f"/graph/v1.0/applications?$filter=appId eq '{PAYMENTS_APP_ID}'"
                              "&$select=id,appId,passwordCredentials", tok)
        creds = r.json()["value"][0]["passwordCredentials"]
        self.assertIn(new["keyId"], [c["keyId"] for c in creds])
        self.assertTrue(all(c["secretText"] is None for c in creds))
        self.assertEqual(self.graph("POST", self.APP + "/removePassword", tok, json={"keyId": new["keyId"]})
                         .status_code, 204)
        r = self.graph("POST", self.APP + "/removePassword", tok, json={"keyId": new["keyId"]})
        self.assertEqual((r.status_code, r.json()["error"]["code"]), (400, "Request_BadRequest"))
        r = self.graph("POST", "/graph/v1.0/applications(appId='aaaaaaaa-0004-4000-8000-000000000004')/addPassword",
                       tok, json={"passwordCredential": {"displayName": "x"}})
        self.assertEqual((r.status_code, r.json()["error"]["code"]), (403, "Authorization_RequestDenied"))
        r = self.graph("POST", self.APP + "/addPassword", tok, json={"passwordCredential": {"displayName": "2y"}})
        self.assertEqual(r.json()["error"]["code"], "CredentialInvalidLifetimeAsPerAppPolicy")
        self.assertEqual(set(r.json()["error"]["innerError"]), {"date", "request-id", "client-request-id"})


class ConsistencyTests(GraphBase):
    """Issue #14: reads lag writes, new secrets flap, no fallback to an older Key Vault version, validation."""

    def test_graph_reads_lag_writes_and_remove_answers_not_found(self):
        self.emu.configure(graphReadLagSeconds=1.5, secretFlapping=None, timeScale=1)
        tok = msal_confidential(self).acquire_token_for_client(scopes=[GRAPH])["access_token"]
        new = self.add(tok)
        listed = [c["keyId"] for c in self.graph("GET", self.APP, tok).json()["passwordCredentials"]]
        self.assertNotIn(new["keyId"], listed)
        r = self.graph("POST", self.APP + "/removePassword", tok, json={"keyId": new["keyId"]})
        self.assertEqual(r.json()["error"]["message"], f"No password credential found with keyId '{new['keyId']}'.")
        ok = msal_confidential(self, PAYMENTS_APP_ID, new["secretText"]).acquire_token_for_client(scopes=[KV])
        self.assertIn("access_token", ok, ok)  # ... while the secret exists and works
        time.sleep(1.6)
        self.assertEqual(self.graph("POST", self.APP + "/removePassword", tok, json={"keyId": new["keyId"]})
                         .status_code, 204)

    def test_new_secret_flaps_while_replicating(self):
        self.emu.configure(secretFlapping={"windowSeconds": 30, "seed": 3}, graphReadLagSeconds=0, timeScale=1)
        new = self.add(None)
        answers = [msal_confidential(self, PAYMENTS_APP_ID, new["secretText"]).acquire_token_for_client(scopes=[KV])
                   for _ in range(12)]
        codes = {7000215 if "error" in a else 0 for a in answers}
        self.assertEqual(codes, {0, 7000215})  # accepted by one replica, rejected by the next
        first_ok = next(i for i, a in enumerate(answers) if "access_token" in a)
        self.assertTrue(any("error" in a for a in answers[first_ok + 1:]))

    def test_key_vault_validation_stores_nothing(self):
        self.emu.configure(kvValidation=True)
        c = KeyVaultTests.client(self)
        for kwargs in ({"tags": {"t": "x" * 257}}, {"content_type": "c" * 256}):
            with self.assertRaises(HttpResponseError) as cm:
                c.set_secret("validated", "v", **kwargs)
            self.assertEqual((cm.exception.status_code, cm.exception.error.code), (400, "BadParameter"))
        tok = msal_confidential(self).acquire_token_for_client(scopes=[KV])["access_token"]
        r = requests.put(f"{self.base}/secrets/validated?api-version=7.5", headers={"Authorization": f"Bearer {tok}"},
                         json={"value": "v", "attributes": {"exp": "2030-01-01T00:00:00Z"}}, verify=self.ca)
        self.assertEqual((r.status_code, r.headers["x-ms-error-code"]), (400, "BadParameter"))
        with self.assertRaises(ResourceNotFoundError):
            c.get_secret("validated")
        self.assertEqual([p.name for p in c.list_properties_of_secrets() if p.name == "validated"], [])


if __name__ == "__main__":
    unittest.main()
