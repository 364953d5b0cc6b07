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
- requests: REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE/SSL_CERT_FILE are set to the emulator's CA, because requests
  lets those variables override a session's `verify`.
"""

import os
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import (BOT_PASSWORD, BOT_USER, ENDPOINTS, PAT_CLIENT_ID, ROTATION_APP_ID,  # noqa: E402
                     ROTATION_APP_SECRET, TENANT_ID, Emulator)

import msal  # noqa: E402
import msal.authority  # noqa: E402
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError  # noqa: E402
from azure.identity import ClientSecretCredential  # noqa: E402
from azure.keyvault.secrets import SecretClient  # noqa: E402

ADO = "499b84ac-1321-427f-aa17-267ca6975798/.default"


class ConformanceBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()
        cls.base = cls.emu.base_url
        cls.ca = cls.emu.ca_file
        msal.authority.Authority._domains_without_user_realm_discovery.add("127.0.0.1")
        # requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's own `verify`; these
        # clients only talk to the emulator here, so point them at its CA.
        for k in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
            os.environ[k] = cls.ca

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
        self.assertEqual(c.get_secret("conformance-secret").value, "value-2")
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

    def live_pat(self):
        return next(p for p in self.emu.state()["pats"] if p["displayName"] == "code-reader")["token"]

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


if __name__ == "__main__":
    unittest.main()
