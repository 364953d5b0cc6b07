"""Tests of the Azure emulator itself (and of the harness's leak check).

    python3 -m unittest discover -s scripts/e2e -p 'test_emulator.py'
"""

import base64
import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (BOT_PASSWORD, BOT_USER, ENDPOINTS, OTHER_APP_ID, PAT_CLIENT_ID, PAYMENTS_APP_ID,  # noqa: E402
                     PROJECT_ID, PLAN_ID, JOB_ID, ROTATION_APP_ID, ROTATION_APP_SECRET, TENANT_ID, WIF_APP_ID,
                     Emulator, TaskResult, find_leaks, task_env, identity_wif, identity_spn_endpoint)

ADO = "499b84ac-1321-427f-aa17-267ca6975798/.default"
GRAPH = "https://graph.microsoft.com/.default"
KV = "https://vault.azure.net/.default"
PATS = "/vssps/contoso/_apis/tokens/pats"
PV = "api-version=7.1-preview.1"


class EmulatorTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()

    def setUp(self):
        self.emu.reset()

    # helpers
    def req(self, method, path, body=None, headers=None, form=None, token=None, basic=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        if basic:
            h["Authorization"] = "Basic " + base64.b64encode(f":{basic}".encode()).decode()
        status, hdrs, raw = self.emu.request(method, path, body=body, headers=h, form=form)
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw
        return status, hdrs, data

    def login(self, **form):
        return self.req("POST", f"/login/{form.pop('tenant', TENANT_ID)}/oauth2/v2.0/token", form=form)

    def bot_token(self, scope=ADO):
        return self.emu.token(scope, client_id=PAT_CLIENT_ID, client_secret=None, username=BOT_USER,
                              password=BOT_PASSWORD)

    def app_token(self, scope):
        return self.emu.token(scope)

    def state(self):
        return self.emu.state()

    def pat(self, name):
        return next(p for p in self.state()["pats"] if p["displayName"] == name)


class EntraTests(EmulatorTestCase):
    def test_client_secret_success_shape(self):
        s, h, d = self.login(grant_type="client_credentials", client_id=ROTATION_APP_ID,
                             client_secret=ROTATION_APP_SECRET, scope=KV)
        self.assertEqual(s, 200)
        self.assertEqual(d["token_type"], "Bearer")
        self.assertEqual(d["expires_in"], 3599)
        self.assertEqual(len(d["access_token"].split(".")), 3)
        self.assertIn(d["access_token"], self.state()["issuedSecrets"])

    def test_basic_client_auth(self):
        cred = base64.b64encode(f"{ROTATION_APP_ID}:{ROTATION_APP_SECRET}".encode()).decode()
        s, _, d = self.req("POST", f"/login/{TENANT_ID}/oauth2/v2.0/token",
                           form={"grant_type": "client_credentials", "scope": GRAPH},
                           headers={"Authorization": "Basic " + cred})
        self.assertEqual(s, 200, d)

    def test_error_shapes(self):
        s, _, d = self.login(grant_type="client_credentials", client_id=ROTATION_APP_ID, client_secret="nope", scope=KV)
        self.assertEqual(s, 401)
        self.assertEqual(d["error"], "invalid_client")
        self.assertEqual(d["error_codes"], [7000215])
        self.assertTrue(d["error_description"].startswith("AADSTS7000215: "))
        for k in ("timestamp", "trace_id", "correlation_id", "error_uri"):
            self.assertIn(k, d)
        s, _, d = self.login(grant_type="client_credentials", client_id="00000000-0000-0000-0000-00000000dead",
                             client_secret="x", scope=KV)
        self.assertEqual((s, d["error"], d["error_codes"]), (400, "unauthorized_client", [700016]))

    def test_scope_rules(self):
        base = dict(grant_type="client_credentials", client_id=ROTATION_APP_ID, client_secret=ROTATION_APP_SECRET)
        for scope, code in ((f"{KV} {GRAPH}", 700022), ("https://vault.azure.net/secrets.read", 70011),
                            ("https://unknown.example/.default", 500011)):
            s, _, d = self.login(scope=scope, **base)
            self.assertEqual((s, d["error_codes"]), (400, [code]), scope)
        s, _, d = self.login(scope=f"{self.emu.base_url}/graph/.default", **base)
        self.assertEqual(s, 200)
        s, _, d = self.login(scope="https://graph.microsoft.us/.default", **base)
        self.assertEqual(s, 200)

    def test_expired_secret(self):
        self.emu.advance_hours(24 * 336)  # rotation-automation's secret ends in 335 days
        s, _, d = self.login(grant_type="client_credentials", client_id=ROTATION_APP_ID,
                             client_secret=ROTATION_APP_SECRET, scope=KV)
        self.assertEqual((s, d["error_codes"]), (401, [7000222]))

    def test_ropc(self):
        s, _, d = self.login(grant_type="password", client_id=PAT_CLIENT_ID, username=BOT_USER, password=BOT_PASSWORD,
                             scope=ADO + " offline_access openid profile")
        self.assertEqual(s, 200, d)
        self.assertIn("refresh_token", d)
        self.assertIn("scope", d)
        s, _, d = self.login(grant_type="password", client_id=PAT_CLIENT_ID, username=BOT_USER, password="bad",
                             scope=ADO)
        self.assertEqual((s, d["error"], d["error_codes"]), (400, "invalid_grant", [50126]))
        s, _, d = self.login(grant_type="password", client_id=PAT_CLIENT_ID, username="mfa-user@contoso.onmicrosoft.com",
                             password="Fixture-Mfa-Password-1!", scope=ADO)
        self.assertEqual((s, d["error"], d["error_codes"]), (400, "interaction_required", [50076]))
        s, _, d = self.login(tenant="common", grant_type="password", client_id=PAT_CLIENT_ID, username=BOT_USER,
                             password=BOT_PASSWORD, scope=ADO)
        self.assertEqual((s, d["error_codes"]), (400, [9001023]))
        # confidential client without a secret
        s, _, d = self.login(grant_type="password", client_id=ROTATION_APP_ID, username=BOT_USER,
                             password=BOT_PASSWORD, scope=ADO)
        self.assertEqual(s, 401)
        s, _, d = self.login(grant_type="password", client_id=ROTATION_APP_ID, client_secret=ROTATION_APP_SECRET,
                             username=BOT_USER, password=BOT_PASSWORD, scope=ADO)
        self.assertEqual(s, 200, d)

    def test_oidc_then_client_assertion(self):
        job = self.state()["jobAccessToken"]["token"]
        url = (f"/ado/contoso/{PROJECT_ID}/_apis/distributedtask/hubs/build/plans/{PLAN_ID}/jobs/{JOB_ID}/oidctoken"
               f"?api-version=7.1&serviceConnectionId={ENDPOINTS['rotation-wif']}")
        s, _, d = self.req("POST", url, body={}, token=job)
        self.assertEqual(s, 200, d)
        oidc = d["oidcToken"]
        claims = json.loads(base64.urlsafe_b64decode(oidc.split(".")[1] + "=="))
        self.assertEqual(claims["sub"], "sc://contoso/Platform/rotation-wif")
        self.assertEqual(claims["aud"], "api://AzureADTokenExchange")
        self.assertTrue(claims["iss"].startswith("https://vstoken.dev.azure.com/"))
        ok = dict(grant_type="client_credentials", client_assertion=oidc, scope=GRAPH,
                  client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        s, _, d = self.login(client_id=WIF_APP_ID, **ok)
        self.assertEqual(s, 200, d)
        s, _, d = self.login(client_id=PAYMENTS_APP_ID, **ok)  # wrong subject for that app
        self.assertEqual((s, d["error_codes"]), (400, [700213]))
        s, _, d = self.login(client_id=WIF_APP_ID, **dict(ok, client_assertion="a.b.c"))
        self.assertEqual((s, d["error_codes"]), (401, [700027]))
        # a non-job token can't get an OIDC token
        s, _, _ = self.req("POST", url, body={}, token="garbage", headers={"X-TFS-FedAuthRedirect": "Suppress"})
        self.assertEqual(s, 401)

    def test_replication_delay(self):
        self.emu.configure(replicationDelaySeconds=2, secretFlapping=None, timeScale=1)
        tok = self.app_token(GRAPH)
        s, _, d = self.req("POST", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/addPassword",
                           body={"passwordCredential": {"displayName": "new", "endDateTime": "2099-01-01T00:00:00Z"}},
                           token=tok)
        self.assertEqual(s, 400)  # beyond the 365-day policy
        end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 100 * 86400))
        s, _, d = self.req("POST", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/addPassword",
                           body={"passwordCredential": {"displayName": "new", "endDateTime": end}}, token=tok)
        self.assertEqual(s, 200, d)
        form = dict(grant_type="client_credentials", client_id=PAYMENTS_APP_ID, client_secret=d["secretText"], scope=KV)
        s, _, e = self.login(**form)
        self.assertEqual((s, e["error_codes"]), (401, [7000215]))
        time.sleep(2.1)
        s, _, e = self.login(**form)
        self.assertEqual(s, 200, e)


class GraphTests(EmulatorTestCase):
    def test_get_select_and_owner_rules(self):
        tok = self.app_token(GRAPH)
        s, h, d = self.req("GET", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')"
                                  "?$select=id,appId,passwordCredentials", token=tok)
        self.assertEqual(s, 200, d)
        self.assertIn("request-id", {k.lower() for k in h})
        self.assertEqual(set(d) - {"@odata.context"}, {"id", "appId", "passwordCredentials"})
        self.assertEqual(len(d["passwordCredentials"]), 2)
        self.assertTrue(all(p["secretText"] is None for p in d["passwordCredentials"]))
        s, _, d2 = self.req("GET", f"/graph/v1.0/applications/{d['id']}", token=tok)
        self.assertEqual(s, 200)
        self.assertEqual(d2["displayName"], "payments-deployer")
        s, _, d = self.req("POST", f"/graph/v1.0/applications(appId='{OTHER_APP_ID}')/addPassword",
                           body={"passwordCredential": {"displayName": "x"}}, token=tok)
        self.assertEqual((s, d["error"]["code"]), (403, "Authorization_RequestDenied"))
        self.assertEqual(d["error"]["message"], "Insufficient privileges to complete the operation.")
        self.assertIn("request-id", d["error"]["innerError"])
        s, _, d = self.req("GET", "/graph/v1.0/applications/00000000-0000-0000-0000-000000000000", token=tok)
        self.assertEqual((s, d["error"]["code"]), (404, "Request_ResourceNotFound"))
        s, _, d = self.req("GET", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')",
                           token=self.app_token(KV))
        self.assertEqual(s, 401)

    def test_add_and_remove_password(self):
        self.emu.configure(graphReadLagSeconds=0)
        tok = self.app_token(GRAPH)
        end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 90 * 86400))
        s, _, d = self.req("POST", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/addPassword",
                           body={"passwordCredential": {"displayName": "rotated", "endDateTime": end}}, token=tok)
        self.assertEqual(s, 200, d)
        secret = d["secretText"]
        self.assertEqual(len(secret), 40)
        self.assertEqual(d["hint"], secret[:3])
        self.assertTrue(any(c in secret for c in "~._-"))
        s, _, _ = self.req("POST", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/removePassword",
                           body={"keyId": d["keyId"]}, token=tok)
        self.assertEqual(s, 204)
        s, _, e = self.req("POST", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/removePassword",
                           body={"keyId": d["keyId"]}, token=tok)
        self.assertEqual(s, 400)
        self.assertIn("innerError", e["error"])

    def test_default_lifetime_hits_policy(self):
        tok = self.app_token(GRAPH)
        s, _, d = self.req("POST", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/addPassword",
                           body={"passwordCredential": {"displayName": "two-years"}}, token=tok)
        self.assertEqual(s, 400)
        self.assertEqual(d["error"]["code"], "CredentialInvalidLifetimeAsPerAppPolicy")
        self.assertEqual(d["error"]["details"][0]["code"], "InvalidKeyEndDate")
        self.assertIn("client-request-id", d["error"]["innerError"])


class PatApiTests(EmulatorTestCase):
    def test_list_default_active_and_paging(self):
        tok = self.bot_token()
        s, _, d = self.req("GET", f"{PATS}?{PV}", token=tok)
        self.assertEqual(s, 200, d)
        names = {p["displayName"] for p in d["patTokens"]}
        self.assertIn("ci-feed-reader", names)
        self.assertNotIn("expired-one", names)
        self.assertNotIn("revoked-one", names)
        self.assertNotIn("mfa-user-token", names)
        self.assertEqual(d["continuationToken"], "")
        self.assertTrue(all(p["token"] is None for p in d["patTokens"]))
        nightly = next(p for p in d["patTokens"] if p["displayName"] == "nightly-deploy")
        self.assertIsNone(nightly["targetAccounts"])
        self.assertRegex(nightly["validTo"], r"T\d\d:\d\d:\d\d(\.\d{0,6}[1-9])?Z$")  # ADO trims the digits
        self.emu.configure(patPageSize=2)
        seen, ct, pages = [], None, 0
        while True:
            q = f"{PATS}?{PV}&displayFilterOption=all&$top=100" + (f"&continuationToken={ct}" if ct else "")
            s, _, d = self.req("GET", q, token=tok)
            self.assertEqual(s, 200, d)
            self.assertLessEqual(len(d["patTokens"]), 2)
            seen += [p["displayName"] for p in d["patTokens"]]
            pages += 1
            ct = d["continuationToken"]
            if not ct:
                break
        self.assertEqual(len(seen), 8)
        self.assertEqual(len(set(seen)), 8)
        self.assertEqual(pages, 4)
        for flt, name in (("expired", "expired-one"), ("revoked", "revoked-one")):
            s, _, d = self.req("GET", f"{PATS}?{PV}&displayFilterOption={flt}", token=tok)
            self.assertEqual([p["displayName"] for p in d["patTokens"]], [name])

    def test_create_update_revoke(self):
        tok = self.bot_token()
        far = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 400 * 86400))
        s, _, d = self.req("POST", f"{PATS}?{PV}", token=tok,
                           body={"displayName": "new", "scope": "vso.code vso.serviceendpoint", "validTo": far,
                                 "allOrgs": False})
        self.assertEqual((s, d["patTokenError"]), (200, "none"), d)
        p = d["patToken"]
        self.assertRegex(p["token"], r"^[a-z0-9]{52}$")
        self.assertEqual(len(p["targetAccounts"]), 1)
        # clamped to 180 days (policy)
        from harness import TaskResult  # noqa: F401  (import check only)
        got = self.pat("new")
        self.assertLess(abs(_ts(got["validTo"]) - _ts(got["validFrom"]) - 180 * 86400), 5)
        # the PAT works as Basic on Azure DevOps
        s, _, d2 = self.req("GET", "/ado/contoso/Platform/_apis/serviceendpoint/endpoints?endpointNames=payments-prod"
                                   "&api-version=7.1", basic=p["token"])
        self.assertEqual((s, d2["count"]), (200, 1))
        s, _, d = self.req("PUT", f"{PATS}?{PV}", token=tok, body={"authorizationId": p["authorizationId"],
                                                                    "validTo": far})
        self.assertEqual((s, d["patTokenError"]), (200, "none"))
        self.assertIsNone(d["patToken"]["token"])
        s, _, d = self.req("GET", f"{PATS}?{PV}&authorizationId={p['authorizationId']}", token=tok)
        self.assertEqual(d["patToken"]["displayName"], "new")
        s, _, d = self.req("DELETE", f"{PATS}?{PV}&authorizationId={p['authorizationId']}", token=tok)
        self.assertEqual((s, d), (204, None))
        s, _, _ = self.req("GET", "/ado/contoso/Platform/_apis/serviceendpoint/endpoints?api-version=7.1",
                           basic=p["token"])
        self.assertEqual(s, 203)  # revoked PAT -> sign-in page
        s, _, d = self.req("DELETE", f"{PATS}?{PV}&authorizationId={p['authorizationId']}", token=tok)
        self.assertEqual(s, 204)  # revoking again: 204 by default (config patRevokeRevoked)
        self.emu.configure(patRevokeRevoked="authorizationNotFound")
        s, _, d = self.req("DELETE", f"{PATS}?{PV}&authorizationId={p['authorizationId']}", token=tok)
        self.assertEqual((s, d["patTokenError"]), (200, "authorizationNotFound"))
        s, _, d = self.req("DELETE", f"{PATS}?{PV}&authorizationId=00000000-0000-0000-0000-000000000000", token=tok)
        self.assertEqual((s, d["patTokenError"]), (200, "authorizationNotFound"))

    def test_pat_token_errors(self):
        tok = self.bot_token()
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
        past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
        cases = [({"scope": "vso.code", "validTo": soon}, "displayNameRequired"),
                 ({"displayName": "x", "scope": "", "validTo": soon}, "invalidScope"),
                 ({"displayName": "x", "scope": "vso.nonsense", "validTo": soon}, "invalidScope"),
                 ({"displayName": "x", "scope": "vso.code", "validTo": past}, "invalidValidTo")]
        for body, err in cases:
            s, _, d = self.req("POST", f"{PATS}?{PV}", token=tok, body=body)
            self.assertEqual((s, d["patToken"], d["patTokenError"]), (200, None, err), body)
        self.emu.reset(_with(self.emu, policies={"patMaxLifespanDays": 180, "restrictGlobalPat": True,
                                                 "restrictFullScopePat": True}))
        tok = self.bot_token()
        for body, err in (({"displayName": "g", "scope": "vso.code", "validTo": soon, "allOrgs": True},
                           "globalPatPolicyViolation"),
                          ({"displayName": "f", "scope": "app_token", "validTo": soon}, "fullScopePatPolicyViolation")):
            s, _, d = self.req("POST", f"{PATS}?{PV}", token=tok, body=body)
            self.assertEqual(d["patTokenError"], err)
        expired = self.pat("expired-one")["authorizationId"]
        s, _, d = self.req("PUT", f"{PATS}?{PV}", token=tok, body={"authorizationId": expired, "validTo": soon})
        self.assertEqual(d["patTokenError"], "expiredPatCannotBeExtended")
        s, _, d = self.req("PUT", f"{PATS}?{PV}", token=tok,
                           body={"authorizationId": "00000000-0000-0000-0000-000000000000", "validTo": soon})
        self.assertEqual(d["patTokenError"], "authorizationNotFound")

    def test_auth_quirks(self):
        s, _, d = self.req("GET", f"{PATS}?api-version=7.1", token=self.bot_token())
        self.assertEqual((s, d["typeKey"]), (400, "VssInvalidPreviewVersionException"))
        self.assertIn('The requested version "7.1" of the resource is under preview', d["message"])
        s, h, _ = self.req("GET", f"{PATS}?{PV}", token=self.app_token(ADO))
        self.assertEqual(s, 302)
        self.assertIn("_signin", h["Location"])
        s, h, d = self.req("GET", f"{PATS}?{PV}")
        self.assertEqual(s, 203)
        self.assertTrue(h["Content-Type"].startswith("text/html"))
        s, h, d = self.req("GET", f"{PATS}?{PV}", token="expired-or-unknown",
                           headers={"X-TFS-FedAuthRedirect": "Suppress"})
        self.assertEqual((s, d["typeKey"]), (401, "UnauthorizedRequestException"))
        self.assertIn("WWW-Authenticate", h)
        self.assertIn("ActivityId", h)
        self.assertIn("X-VSS-E2EID", h)
        s, _, d = self.req("GET", f"{PATS}?api-version=7.2-preview.1", token=self.bot_token())
        self.assertEqual(s, 200)


class ServiceEndpointTests(EmulatorTestCase):
    def ep_url(self, name):
        return f"/ado/contoso/_apis/serviceendpoint/endpoints/{ENDPOINTS[name]}?api-version=7.1"

    def get(self, name, token):
        return self.req("GET", f"/ado/contoso/Platform/_apis/serviceendpoint/endpoints/{ENDPOINTS[name]}"
                               "?api-version=7.1", token=token)

    def test_get_by_name_and_id(self):
        tok = self.app_token(ADO)
        s, _, d = self.req("GET", "/ado/contoso/Platform/_apis/serviceendpoint/endpoints"
                                  "?endpointNames=payments-prod,other-team&api-version=7.1", token=tok)
        self.assertEqual((s, d["count"]), (200, 2))
        for e in d["value"]:
            self.assertNotIn("serviceprincipalkey", e["authorization"]["parameters"])
        s, _, d = self.req("GET", "/ado/contoso/Platform/_apis/serviceendpoint/endpoints"
                                  "?endpointNames=nope&api-version=7.1", token=tok)
        self.assertEqual(d, {"count": 0, "value": []})
        s, _, d = self.get("payments-prod", tok)
        self.assertEqual(s, 200)
        self.assertIsNone(d["authorization"]["parameters"]["serviceprincipalkey"])
        s, _, d = self.req("GET", f"/ado/contoso/{PROJECT_ID}/_apis/serviceendpoint/endpoints/"
                                  "00000000-0000-0000-0000-000000000000?api-version=7.1", token=tok)
        self.assertEqual((s, d), (200, None))

    def test_put_rules(self):
        tok = self.app_token(ADO)
        _, _, ep = self.get("payments-prod", tok)
        ep["authorization"]["parameters"]["serviceprincipalkey"] = "new-secret-value-123"
        s, _, d = self.req("PUT", self.ep_url("payments-prod"), body=ep, token=tok)
        self.assertEqual(s, 200, d)
        self.assertIsNone(d["authorization"]["parameters"]["serviceprincipalkey"])
        self.assertEqual((d["isReady"], d["operationStatus"]["state"]), (True, "Ready"))
        stored = next(e for e in self.state()["endpoints"] if e["name"] == "payments-prod")
        self.assertEqual(stored["authorization"]["parameters"]["serviceprincipalkey"], "new-secret-value-123")
        # echoing null keeps the stored key
        ep["authorization"]["parameters"]["serviceprincipalkey"] = None
        ep["description"] = "changed"
        s, _, d = self.req("PUT", self.ep_url("payments-prod"), body=ep, token=tok)
        self.assertEqual(s, 200)
        stored = next(e for e in self.state()["endpoints"] if e["name"] == "payments-prod")
        self.assertEqual(stored["authorization"]["parameters"]["serviceprincipalkey"], "new-secret-value-123")
        # project references required, ids must match
        bad = dict(ep)
        bad.pop("serviceEndpointProjectReferences")
        s, _, d = self.req("PUT", self.ep_url("payments-prod"), body=bad, token=tok)
        self.assertEqual(s, 400)
        s, _, d = self.req("PUT", self.ep_url("other-team"), body=ep, token=tok)
        self.assertEqual((s, d["typeKey"]), (400, "ArgumentException"))

    def test_automatic_needs_conversion(self):
        tok = self.app_token(ADO)
        _, _, ep = self.get("payments-auto", tok)
        ep["authorization"]["parameters"]["serviceprincipalkey"] = "new-secret-value-123"
        s, _, d = self.req("PUT", self.ep_url("payments-auto"), body=ep, token=tok)
        self.assertEqual((s, d["typeKey"]), (400, "ServiceEndpointException"))
        ep["data"]["creationMode"] = "Manual"
        s, _, d = self.req("PUT", self.ep_url("payments-auto"), body=ep, token=tok)
        self.assertEqual(s, 200, d)

    def test_job_token_needs_admin_and_readiness_failure(self):
        job = self.state()["jobAccessToken"]["token"]
        _, _, ep = self.get("payments-prod", job)
        s, _, d = self.req("PUT", self.ep_url("payments-prod"), body=ep, token=job)
        self.assertEqual((s, d["typeKey"]), (403, "AccessCheckException"))
        fx = _with(self.emu, jobAccessToken=dict(self.state()["jobAccessToken"], endpointAdministrator=True))
        for e in fx["endpoints"]:
            if e["name"] == "payments-prod":
                e["failReadinessAfterUpdate"] = True
        self.emu.reset(fx)
        s, _, d = self.req("PUT", self.ep_url("payments-prod"), body=ep, token=job)
        self.assertEqual(s, 200, d)
        self.assertEqual((d["isReady"], d["operationStatus"]["state"]), (False, "Failed"))

    def test_bad_credentials(self):
        s, h, _ = self.req("GET", self.ep_url("payments-prod").replace("/_apis", "/Platform/_apis"), basic="wrongpat")
        self.assertEqual(s, 203)
        s, h, d = self.req("GET", self.ep_url("payments-prod"), basic="wrongpat",
                           headers={"X-TFS-FedAuthRedirect": "Suppress"})
        self.assertEqual(s, 401)
        expired = self.pat("expired-one")["token"]
        s, _, _ = self.req("GET", "/ado/contoso/Platform/_apis/serviceendpoint/endpoints?api-version=7.1",
                           basic=expired)
        self.assertEqual(s, 203)


class KeyVaultTests(EmulatorTestCase):
    def url(self, path, ver="7.5"):
        return f"/kv/kv-rotation/secrets/{path}" + (f"?api-version={ver}" if ver else "")

    def test_set_get_versions_patch(self):
        tok = self.app_token(KV)
        ids = []
        for i in range(3):
            s, h, d = self.req("PUT", self.url("rotated"), token=tok,
                               body={"value": f"value-{i}", "contentType": "text/plain", "tags": {"n": str(i)},
                                     "attributes": {"exp": int(time.time()) + 86400}})
            self.assertEqual(s, 200, d)
            self.assertIn("x-ms-request-id", {k.lower() for k in h})
            self.assertRegex(d["id"], r"/kv/kv-rotation/secrets/rotated/[0-9a-f]{32}$")
            self.assertEqual(d["attributes"]["recoveryLevel"], "Recoverable+Purgeable")
            ids.append(d["id"])
        s, _, d = self.req("GET", self.url("rotated"), token=tok)
        self.assertEqual((d["value"], d["tags"]), ("value-2", {"n": "2"}))
        s, _, d = self.req("GET", self.url("rotated/" + ids[0].rsplit("/", 1)[1]), token=tok)
        self.assertEqual(d["value"], "value-0")
        s, _, d = self.req("GET", self.url("rotated/versions", ver=None) + "?api-version=7.5&maxresults=2", token=tok)
        self.assertEqual(len(d["value"]), 2)
        self.assertNotIn("value", d["value"][0])
        s, _, d2 = self.req("GET", d["nextLink"], token=tok)
        self.assertEqual((len(d2["value"]), d2["nextLink"]), (1, None))
        s, _, d = self.req("PATCH", self.url("rotated/" + ids[2].rsplit("/", 1)[1]), token=tok,
                           body={"attributes": {"enabled": False}, "tags": {"state": "old"}})
        self.assertEqual((s, d["attributes"]["enabled"], d["tags"]), (200, False, {"state": "old"}))
        s, _, d = self.req("GET", self.url("rotated"), token=tok)  # the newest is disabled: 403, no fallback
        self.assertEqual((s, d["error"]["code"], d["error"]["innererror"]["code"]), (403, "Forbidden", "SecretDisabled"))
        self.emu.configure(kvDisabledLatest="fallback")
        s, _, d = self.req("GET", self.url("rotated"), token=tok)
        self.assertEqual(d["value"], "value-1")

    def test_errors(self):
        tok = self.app_token(KV)
        s, h, d = self.req("PUT", self.url("x"), body={"value": "v"})
        self.assertEqual((s, d["error"]["code"]), (401, "Unauthorized"))
        self.assertIn('resource="https://vault.azure.net"', h["WWW-Authenticate"])
        self.assertIn(f'authorization="https://login.windows.net/{TENANT_ID}"', h["WWW-Authenticate"])
        self.emu.configure(kvChallengeAuthority=f"{self.emu.base_url}/login")
        s, h, d = self.req("PUT", self.url("x"), body={"value": "v"})
        self.assertIn(f'authorization="{self.emu.base_url}/login/{TENANT_ID}"', h["WWW-Authenticate"])
        s, h, d = self.req("PUT", self.url("x", ver=None), token=tok, body={"value": "v"})
        self.assertEqual((s, d["error"]["code"]), (400, "BadParameter"))
        s, h, d = self.req("PUT", self.url("bad_name"), token=tok, body={"value": "v"})
        self.assertEqual(s, 400)
        s, h, d = self.req("PUT", self.url("big"), token=tok, body={"value": "x" * 25601})
        self.assertEqual(s, 400)
        s, h, d = self.req("PUT", self.url("soft-deleted-name"), token=tok, body={"value": "v"})
        self.assertEqual(s, 409)
        self.assertEqual(d["error"], {"code": "Conflict", "message": "Secret soft-deleted-name is currently in a "
                         "deleted but recoverable state, and its name cannot be reused; in this state, the secret "
                         "can only be recovered or purged.", "innererror": {"code": "ObjectIsDeletedButRecoverable"}})
        self.assertEqual(h["x-ms-error-code"], "Conflict")
        s, h, d = self.req("GET", self.url("missing"), token=tok)
        self.assertEqual((s, d["error"]["code"]), (404, "SecretNotFound"))
        other = self.emu.token(KV, client_id=PAYMENTS_APP_ID,
                               client_secret=next(a for a in self.state()["apps"] if a["appId"] == PAYMENTS_APP_ID)
                               ["passwordCredentials"][0]["secretText"])
        s, h, d = self.req("PUT", self.url("x"), token=other, body={"value": "v"})
        self.assertEqual((s, d["error"]["innererror"]["code"]), (403, "ForbiddenByRbac"))


class DiscoveryTests(EmulatorTestCase):
    def test_kv_root_alias_ids(self):
        tok = self.app_token(KV)
        s, _, d = self.req("PUT", "/secrets/rooted?api-version=7.5", token=tok, body={"value": "v1"})
        self.assertEqual(s, 200, d)
        self.assertRegex(d["id"], r"^https://127\.0\.0\.1:\d+/secrets/rooted/[0-9a-f]{32}$")
        s, _, d = self.req("GET", "/kv/kv-rotation/secrets/rooted?api-version=7.5", token=tok)
        self.assertEqual(d["value"], "v1")
        self.assertIn("/kv/kv-rotation/secrets/rooted/", d["id"])

    def test_ado_resource_locations(self):
        s, _, d = self.req("OPTIONS", "/ado/contoso/_apis")
        self.assertEqual(s, 200)
        self.assertIn("e85f1c62-adfc-4b74-b618-11a150fb195e", [x["id"] for x in d["value"]])
        s, _, d = self.req("GET", "/ado/contoso/_apis/ResourceAreas", token=self.app_token(ADO))
        self.assertEqual(d, {"count": 0, "value": []})


class ControlTests(EmulatorTestCase):
    def test_fault_kinds(self):
        tok = self.app_token(KV)
        self.emu.add_fault(method="GET", path=r"/secrets/payments-prod-secret$", status=503, retryAfter="2",
                           skip=1, times=2)
        url = "/kv/kv-rotation/secrets/payments-prod-secret?api-version=7.5"
        got = [self.req("GET", url, token=tok) for _ in range(4)]
        self.assertEqual([g[0] for g in got], [200, 503, 503, 200])
        self.assertEqual(got[1][1]["Retry-After"], "2")
        log = [r for r in self.emu.requests() if r["path"].endswith("payments-prod-secret")]
        self.assertEqual([r["fault"] for r in log], [None, "status", "status", None])
        self.assertFalse(any("Authorization" in r["requestHeaders"] for r in log))
        self.assertTrue(all(r["hasAuthorization"] for r in log))

        self.emu.add_fault(path="payments-prod-secret", delaySeconds=0.5)
        t0 = time.monotonic()
        self.assertEqual(self.req("GET", url, token=tok)[0], 200)
        self.assertGreater(time.monotonic() - t0, 0.45)

        self.emu.add_fault(path="payments-prod-secret", drop=True)
        with self.assertRaises(Exception):
            self.req("GET", url, token=tok)
        self.emu.add_fault(path="payments-prod-secret", signin=True)
        s, h, _ = self.req("GET", url, token=tok)
        self.assertEqual((s, h["Content-Type"].split(";")[0]), (203, "text/html"))
        self.emu.add_fault(path="payments-prod-secret", malformed=True)
        s, h, d = self.req("GET", url, token=tok)
        self.assertEqual(s, 200)
        self.assertIsInstance(d, bytes)  # not parseable JSON
        self.emu.add_fault(path="tokens/pats", patTokenError="accessDenied", query={"api-version": "7.1-preview.1"})
        s, _, d = self.req("GET", f"{PATS}?{PV}", token=self.bot_token())
        self.assertEqual(d, {"patToken": None, "patTokenError": "accessDenied"})
        self.emu.add_fault(path="graph", status=500, times=-1, body={"custom": True})
        for _ in range(2):
            s, _, d = self.req("GET", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')",
                               token=self.app_token(GRAPH))
            self.assertEqual((s, d), (500, {"custom": True}))
        self.emu.clear_faults()
        s, _, d = self.req("GET", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')", token=self.app_token(GRAPH))
        self.assertEqual(s, 200)

    def test_throttle(self):
        tok = self.app_token(ADO)
        self.emu.configure(throttle={"requestsPerSecond": 3, "retryAfterSeconds": 1})
        url = "/ado/contoso/Platform/_apis/serviceendpoint/endpoints?api-version=7.1"
        got = [self.req("GET", url, token=tok) for _ in range(5)]
        self.assertEqual([g[0] for g in got][:3], [200, 200, 200])
        self.assertEqual(got[4][0], 429)
        self.assertEqual(got[4][1]["Retry-After"], "1")
        self.assertIn("X-RateLimit-Limit", got[4][1])
        self.assertIn("TF400733", got[4][2]["message"])
        time.sleep(1.1)
        self.assertEqual(self.req("GET", url, token=tok)[0], 200)

    def test_clock_advance(self):
        before = self.pat("ci-feed-reader")
        tok = self.bot_token()
        self.emu.advance_hours(24 * 4)
        after = self.pat("ci-feed-reader")
        self.assertAlmostEqual(_ts(before["validTo"]) - _ts(after["validTo"]), 4 * 86400, delta=1)
        s, _, d = self.req("GET", f"{PATS}?{PV}&displayFilterOption=expired", token=self.bot_token())
        self.assertIn("ci-feed-reader", [p["displayName"] for p in d["patTokens"]])
        s, _, _ = self.req("GET", f"{PATS}?{PV}", token=tok, headers={"X-TFS-FedAuthRedirect": "Suppress"})
        self.assertEqual(s, 401)  # the old access token has expired

    def test_delay_and_state(self):
        self.emu.configure(delayMs=300)
        t0 = time.monotonic()
        self.app_token(KV)
        self.assertGreater(time.monotonic() - t0, 0.28)
        st = self.state()
        for k in ("tenant", "apps", "users", "pats", "endpoints", "vaults", "config", "faults", "requests",
                  "issuedSecrets"):
            self.assertIn(k, st)
        self.assertIn(ROTATION_APP_SECRET, st["issuedSecrets"])
        self.assertTrue(all(p["token"] for p in st["pats"]))

    def test_task_env_shapes(self):
        env = task_env(self.emu, credentialType="pat", dryRun=True, **identity_wif(self.emu))
        eid = ENDPOINTS["rotation-wif"]
        self.assertEqual(env["INPUT_AZURESUBSCRIPTION"], eid)
        self.assertEqual(env[f"ENDPOINT_AUTH_SCHEME_{eid}"], "WorkloadIdentityFederation")
        self.assertEqual(env[f"ENDPOINT_AUTH_PARAMETER_{eid}_SERVICEPRINCIPALID"], WIF_APP_ID)
        self.assertEqual(env[f"ENDPOINT_DATA_{eid}_ENVIRONMENT"], "AzureCloud")
        self.assertEqual(env["INPUT_DRYRUN"], "true")
        self.assertTrue(env["SYSTEM_OIDCREQUESTURI"].endswith("/oidctoken"))
        spn = identity_spn_endpoint(self.emu)
        self.assertIn(f"ENDPOINT_AUTH_PARAMETER_{ENDPOINTS['payments-prod']}_SERVICEPRINCIPALKEY", spn)
        # the OIDC request URI from task_env really works
        s, _, d = self.req("POST", env["SYSTEM_OIDCREQUESTURI"] + f"?api-version=7.1&serviceConnectionId={eid}",
                           body={}, token=env["SYSTEM_ACCESSTOKEN"])
        self.assertEqual(s, 200, d)


class ConsistencyModelTests(EmulatorTestCase):
    """The consistency model and strictness switches (README "Consistency model and switches")."""

    APP = f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')"
    ENDPOINTS = "/ado/contoso/Platform/_apis/serviceendpoint/endpoints"

    def add_password(self, tok, **pc):
        pc.setdefault("endDateTime", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 90 * 86400)))
        s, _, d = self.req("POST", self.APP + "/addPassword", body={"passwordCredential": pc}, token=tok)
        self.assertEqual(s, 200, d)
        return d

    def listed(self, tok):
        s, _, d = self.req("GET", self.APP + "?$select=passwordCredentials", token=tok)
        return [p["keyId"] for p in d["passwordCredentials"]]

    def test_graph_reads_lag_writes(self):
        self.emu.configure(graphReadLagSeconds=1.5, secretFlapping=None, timeScale=1)
        tok = self.app_token(GRAPH)
        new = self.add_password(tok)
        self.assertNotIn(new["keyId"], self.listed(tok))
        s, _, e = self.req("POST", self.APP + "/removePassword", body={"keyId": new["keyId"]}, token=tok)
        self.assertEqual((s, e["error"]["code"]), (400, "Request_BadRequest"))
        self.assertEqual(e["error"]["message"], f"No password credential found with keyId '{new['keyId']}'.")
        live = next(a for a in self.state()["apps"] if a["appId"] == PAYMENTS_APP_ID)["passwordCredentials"]
        self.assertIn(new["keyId"], [p["keyId"] for p in live])  # the secret exists and works
        s, _, _ = self.login(grant_type="client_credentials", client_id=PAYMENTS_APP_ID,
                             client_secret=new["secretText"], scope=KV)
        self.assertEqual(s, 200)
        time.sleep(1.6)
        self.assertIn(new["keyId"], self.listed(tok))
        s, _, _ = self.req("POST", self.APP + "/removePassword", body={"keyId": new["keyId"]}, token=tok)
        self.assertEqual(s, 204)
        self.assertIn(new["keyId"], self.listed(tok))  # the removal is not visible yet
        time.sleep(1.6)
        self.assertNotIn(new["keyId"], self.listed(tok))

    def test_time_scale_shortens_the_lag_and_the_flapping_window(self):
        self.emu.configure(graphReadLagSeconds=2, secretFlapping={"windowSeconds": 10, "seed": 7}, timeScale=0.1)
        tok = self.app_token(GRAPH)
        new = self.add_password(tok)
        self.assertNotIn(new["keyId"], self.listed(tok))  # 0.2 s of lag
        time.sleep(1.1)  # past both windows (0.2 s and 1 s)
        self.assertIn(new["keyId"], self.listed(tok))
        form = dict(grant_type="client_credentials", client_id=PAYMENTS_APP_ID, client_secret=new["secretText"],
                    scope=KV)
        self.assertEqual({self.login(**form)[0] for _ in range(5)}, {200})

    def flap_sequence(self, seed):
        self.emu.reset()
        self.emu.configure(secretFlapping={"windowSeconds": 30, "seed": seed}, graphReadLagSeconds=0, timeScale=1)
        new = self.add_password(self.app_token(GRAPH))
        form = dict(grant_type="client_credentials", client_id=PAYMENTS_APP_ID, client_secret=new["secretText"],
                    scope=KV)
        return [self.login(**form)[0] for _ in range(12)]

    def test_new_secrets_flap_deterministically(self):
        first = self.flap_sequence(7)
        self.assertEqual(set(first), {200, 401})  # accepted, then rejected again, within the window
        self.assertEqual(self.flap_sequence(7), first)  # same seed, same answers
        self.emu.configure(secretFlapping={"windowSeconds": 0.5, "seed": 7}, timeScale=1)
        new = self.add_password(self.app_token(GRAPH))
        time.sleep(0.6)
        form = dict(grant_type="client_credentials", client_id=PAYMENTS_APP_ID, client_secret=new["secretText"],
                    scope=KV)
        self.assertEqual({self.login(**form)[0] for _ in range(5)}, {200})  # replicated: always accepted

    def test_key_vault_validates_before_storing(self):
        self.emu.configure(kvValidation=True)
        tok = self.app_token(KV)
        url = "/kv/kv-rotation/secrets/validated?api-version=7.5"
        for bad in ({"tags": {"n": 1}}, {"tags": {"n": "x" * 257}}, {"tags": {"k" * 513: "v"}},
                    {"contentType": "t" * 256}, {"contentType": 5}, {"attributes": {"exp": "2030-01-01"}},
                    {"attributes": {"enabled": "yes"}}, {"tags": {str(i): "v" for i in range(16)}}):
            s, h, d = self.req("PUT", url, token=tok, body={"value": "v", **bad})
            self.assertEqual((s, d["error"]["code"], h["x-ms-error-code"]), (400, "BadParameter", "BadParameter"), bad)
        vault = next(v for v in self.state()["vaults"] if v["name"] == "kv-rotation")
        self.assertNotIn("validated", vault["secrets"])  # nothing stored
        s, _, d = self.req("PUT", url, token=tok, body={"value": "v", "tags": {"n": "1"}, "contentType": "text/plain",
                                                        "attributes": {"exp": int(time.time()) + 60}})
        self.assertEqual(s, 200, d)
        s, _, d = self.req("PATCH", f"/kv/kv-rotation/secrets/validated/{d['id'].rsplit('/', 1)[1]}?api-version=7.5",
                           token=tok, body={"tags": {"n": 2}})
        self.assertEqual(s, 400)
        self.emu.configure(kvValidation=False)
        s, _, _ = self.req("PUT", url, token=tok, body={"value": "v", "tags": {"n": 1}})
        self.assertEqual(s, 200)

    def test_ado_api_version_and_media_type(self):
        self.emu.configure(adoApiVersion=True, adoMediaType=True)
        tok = self.app_token(ADO)
        for query, key in (("", "VssVersionNotSpecifiedException"), ("&api-version=7.2", "VssInvalidPreviewVersionException"),
                           ("&api-version=9.0", "VssVersionOutOfRangeException"), ("&api-version=x", "VssVersionOutOfRangeException")):
            s, _, d = self.req("GET", f"{self.ENDPOINTS}?endpointNames=payments-prod{query}", token=tok)
            self.assertEqual((s, d["typeKey"]), (400, key), query)
        for ver in ("7.1", "7.2-preview.4", "7.1-preview.4", "6.0"):
            self.assertEqual(self.req("GET", f"{self.ENDPOINTS}?api-version={ver}", token=tok)[0], 200, ver)
        eid = ENDPOINTS["payments-prod"]
        body = json.dumps({"id": eid}).encode()
        s, _, d = self.req("PUT", f"/ado/contoso/_apis/serviceendpoint/endpoints/{eid}?api-version=7.1", body=body,
                           token=tok, headers={"Content-Type": "text/plain"})
        self.assertEqual((s, d["typeKey"]), (415, "VssRequestContentTypeNotSupportedException"))
        s, _, d = self.req("POST", f"{PATS}?{PV}", body=b'{"displayName": "x"}', token=self.bot_token(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(s, 415)
        self.emu.configure(adoApiVersion=False)
        self.assertEqual(self.req("GET", self.ENDPOINTS, token=tok)[0], 200)

    def test_scopes_per_route(self):
        self.emu.configure(adoScopes=True)
        code_reader = self.pat("code-reader")["token"]  # vso.code
        s, _, d = self.req("GET", f"{self.ENDPOINTS}?api-version=7.1", basic=code_reader)
        self.assertEqual((s, d["typeKey"]), (401, "UnauthorizedRequestException"))
        bot = self.bot_token()  # pat-automation-client consented vso.pats vso.pats_manage
        s, _, d = self.req("POST", f"{PATS}?{PV}", token=bot, body={"displayName": "sc-manager",
                                                                   "scope": "vso.serviceendpoint_manage"})
        manager = d["patToken"]["token"]
        self.assertEqual(self.req("GET", f"{self.ENDPOINTS}?api-version=7.1", basic=manager)[0], 200)
        s, _, d = self.req("POST", f"{PATS}?{PV}", token=bot, body={"displayName": "sc-reader",
                                                                   "scope": "vso.serviceendpoint"})
        reader = d["patToken"]["token"]
        ep = self.req("GET", f"/ado/contoso/Platform/_apis/serviceendpoint/endpoints/{ENDPOINTS['payments-prod']}"
                             "?api-version=7.1", basic=reader)[2]
        url = f"/ado/contoso/_apis/serviceendpoint/endpoints/{ep['id']}?api-version=7.1"
        self.assertEqual(self.req("PUT", url, body=ep, basic=reader)[0], 401)
        self.assertEqual(self.req("PUT", url, body=ep, basic=manager)[0], 200)
        # a user token with only user_impersonation (no vso.pats*) cannot use the PAT API
        legacy = self.emu.token(ADO, username=BOT_USER, password=BOT_PASSWORD)  # via rotation-automation
        self.assertEqual(self.req("GET", f"{PATS}?{PV}", token=legacy)[0], 401)
        self.emu.configure(adoScopes=False)
        self.assertEqual(self.req("GET", f"{PATS}?{PV}", token=legacy)[0], 200)

    def test_dates_as_each_service_sends_them(self):
        self.emu.configure(dateStyle="service", graphReadLagSeconds=0)
        tok = self.app_token(GRAPH)
        end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 90 * 86400))
        start = time.strftime("%Y-%m-%dT%H:%M:%S.5+00:00", time.gmtime(time.time() - 60))
        d = self.add_password(tok, endDateTime=end, startDateTime=start)
        self.assertEqual((d["endDateTime"], d["startDateTime"]), (end, start))  # Graph echoes
        got = next(p for p in self.req("GET", self.APP, token=tok)[2]["passwordCredentials"] if p["keyId"] == d["keyId"])
        self.assertEqual(got["endDateTime"], end)
        s, _, pats = self.req("GET", f"{PATS}?{PV}", token=self.bot_token())
        for p in pats["patTokens"]:
            self.assertNotRegex(p["validTo"], r"0Z$|\.Z$")  # ADO trims trailing zeros
        self.emu.configure(dateStyle="fixed7")
        s, _, pats = self.req("GET", f"{PATS}?{PV}", token=self.bot_token())
        self.assertTrue(all(re.search(r"\.\d{7}Z$", p["validTo"]) for p in pats["patTokens"]))
        self.emu.configure(dateStyle="mixed")
        s, _, pats = self.req("GET", f"{PATS}?{PV}", token=self.bot_token())
        forms = {bool(re.search(r"\.\d{7}Z$", p["validTo"])) for p in pats["patTokens"]}
        self.assertEqual(forms, {True, False})

    def test_ropc_answers_carry_id_token_and_client_info(self):
        s, _, d = self.login(grant_type="password", client_id=PAT_CLIENT_ID, username=BOT_USER, password=BOT_PASSWORD,
                             scope=ADO + " openid profile offline_access", client_info="1")
        self.assertEqual(s, 200, d)
        claims = json.loads(base64.urlsafe_b64decode(d["id_token"].split(".")[1] + "=="))
        self.assertEqual((claims["aud"], claims["preferred_username"], claims["tid"]), (PAT_CLIENT_ID, BOT_USER, TENANT_ID))
        info = json.loads(base64.urlsafe_b64decode(d["client_info"] + "=="))
        self.assertEqual(info["utid"], TENANT_ID)
        self.assertEqual(info["uid"], claims["oid"])
        s, _, d = self.login(grant_type="password", client_id=PAT_CLIENT_ID, username=BOT_USER, password=BOT_PASSWORD,
                             scope=ADO)
        self.assertNotIn("id_token", d)  # only when openid is asked for


class HoldTests(EmulatorTestCase):
    """POST /_emulator/hold, GET /_emulator/held, POST /_emulator/release (see README, control API)."""

    def tearDown(self):
        self.emu._control("POST", "/hold", {"request": 0})

    def put_in_thread(self, name):
        import threading
        out = {}
        tok = self.app_token(KV)

        def run():
            out["answer"] = self.req("PUT", f"/kv/kv-rotation/secrets/{name}?api-version=7.5", token=tok,
                                     body={"value": "held-value"})
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t, out

    def wait_held(self):
        for _ in range(200):
            h = self.emu._control("GET", "/held")
            if h["held"]:
                return h
            time.sleep(0.02)
        self.fail("nothing was held")

    def versions(self, name):
        v = next(v for v in self.state()["vaults"] if v["name"] == "kv-rotation")
        return len(v["secrets"].get(name, []))

    def test_before_holds_the_kth_request_unprocessed(self):
        self.app_token(KV)  # warm-up outside the count
        self.emu._control("POST", "/hold", {"request": 2, "when": "before"})
        self.assertEqual(self.emu._control("GET", "/held"), {"held": False, "count": 0, "method": None, "path": None})
        t, out = self.put_in_thread("held-before")  # request 1 = its token request, 2 = the PUT
        h = self.wait_held()
        self.assertEqual((h["count"], h["method"], h["path"]), (2, "PUT", "/kv/kv-rotation/secrets/held-before"))
        self.assertEqual(self.versions("held-before"), 0)  # the service never saw it
        self.assertTrue(t.is_alive())
        self.assertEqual(self.emu._control("POST", "/release")["released"], True)
        t.join(10)
        self.assertEqual(out["answer"][0], 200)
        self.assertEqual(self.versions("held-before"), 1)
        self.assertFalse(self.emu._control("GET", "/held")["held"])

    def test_a_hold_by_method_and_path_counts_only_those_requests(self):
        self.emu._control("POST", "/hold", {"request": 1, "when": "before", "method": "PUT",
                                            "pathEnd": "/secrets/held-by-path"})
        t, out = self.put_in_thread("held-by-path")  # its token request is not counted
        h = self.wait_held()
        self.assertEqual((h["count"], h["method"], h["path"]), (1, "PUT", "/kv/kv-rotation/secrets/held-by-path"))
        self.assertEqual(self.versions("held-by-path"), 0)
        self.emu._control("POST", "/release")
        t.join(10)
        self.assertEqual(out["answer"][0], 200)
        s, _, _ = self.emu.request("POST", "/_emulator/hold", {"request": 1, "method": "PUT"})  # pathEnd missing
        self.assertEqual(s, 400)

    def test_after_processes_but_holds_the_answer(self):
        self.emu._control("POST", "/hold", {"request": 2, "when": "after"})
        t, out = self.put_in_thread("held-after")
        self.wait_held()
        self.assertEqual(self.versions("held-after"), 1)  # state changed
        time.sleep(0.2)
        self.assertTrue(t.is_alive() and "answer" not in out)  # the client has not learnt it
        self.emu._control("POST", "/release")
        t.join(10)
        self.assertEqual(out["answer"][0], 200)

    def test_disarm_and_validation(self):
        self.emu._control("POST", "/hold", {"request": 1, "when": "before"})
        self.emu._control("POST", "/hold", {"request": 0})
        self.app_token(KV)  # not held
        self.assertFalse(self.emu._control("GET", "/held")["held"])
        self.assertEqual(self.emu._control("POST", "/release")["released"], False)
        s, _, _ = self.emu.request("POST", "/_emulator/hold", {"request": 1, "when": "later"})
        self.assertEqual(s, 400)


class ClockOffsetTests(EmulatorTestCase):
    """clockOffsetSeconds (fixture) and POST /_emulator/clock {"offsetSeconds": N}."""

    def tearDown(self):
        self.emu._control("POST", "/clock", {"offsetSeconds": 0})
        self.emu.reset()

    def date_header(self):
        from email.utils import parsedate_to_datetime
        _, h, _ = self.req("GET", "/kv/kv-rotation/secrets?api-version=7.5")
        return parsedate_to_datetime(h["Date"]).timestamp()

    def test_offset_moves_every_timestamp_and_the_date_header(self):
        self.assertAlmostEqual(self.date_header(), time.time(), delta=3)
        self.emu._control("POST", "/clock", {"offsetSeconds": -7200})
        self.assertAlmostEqual(self.date_header(), time.time() - 7200, delta=3)
        self.assertAlmostEqual(_ts(self.state()["now"]), time.time() - 7200, delta=3)
        s, _, d = self.req("PUT", "/kv/kv-rotation/secrets/clocked?api-version=7.5", token=self.app_token(KV),
                           body={"value": "v"})
        self.assertAlmostEqual(d["attributes"]["created"], time.time() - 7200, delta=3)
        s, _, d = self.req("POST", f"/graph/v1.0/applications(appId='{PAYMENTS_APP_ID}')/addPassword",
                           body={"passwordCredential": {"displayName": "clock", "endDateTime": time.strftime(
                               "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 100 * 86400))}},
                           token=self.app_token(GRAPH))
        self.assertAlmostEqual(_ts(d["startDateTime"]), time.time() - 7200, delta=3)

    def test_fixture_offset_and_relative_times(self):
        self.emu.reset(_with(self.emu, clockOffsetSeconds=86400))
        self.assertEqual(self.state()["clockOffsetSeconds"], 86400)
        self.assertAlmostEqual(self.date_header(), time.time() + 86400, delta=3)
        ci = self.pat("ci-feed-reader")  # validTo "+3d" from the emulator's now
        self.assertAlmostEqual(_ts(ci["validTo"]), time.time() + 4 * 86400, delta=5)
        self.emu.reset()
        self.assertAlmostEqual(self.date_header(), time.time(), delta=3)

    def test_tokens_expire_by_the_emulator_clock(self):
        tok = self.app_token(KV)
        self.emu._control("POST", "/clock", {"offsetSeconds": 3600})
        s, _, d = self.req("GET", "/kv/kv-rotation/secrets?api-version=7.5", token=tok)
        self.assertEqual((s, d["error"]["code"]), (401, "Unauthorized"))


class ExtraDnsTests(unittest.TestCase):
    """--extra-dns NAME: the server certificate and the CA's name constraints also cover NAME."""

    def handshake(self, info, name):
        import socket
        import ssl
        ctx = ssl.create_default_context(cafile=info["caFile"])
        port = int(info["baseUrl"].rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            with ctx.wrap_socket(sock, server_hostname=name) as tls:
                return tls.version()

    def test_extra_name_is_trusted_only_when_asked(self):
        import ssl
        import subprocess
        import tempfile
        from harness import EMULATOR
        with tempfile.TemporaryDirectory() as ca_dir:
            for extra, ok in ((["--extra-dns", "emulator.proxy.test"], True), ([], False)):
                proc = subprocess.Popen([sys.executable, EMULATOR, "--ca-dir", ca_dir, *extra],
                                        stdout=subprocess.PIPE, text=True)
                try:
                    info = json.loads(proc.stdout.readline())
                    self.assertTrue(self.handshake(info, "localhost"))
                    if ok:
                        self.assertTrue(self.handshake(info, "emulator.proxy.test"))
                    else:
                        with self.assertRaises(ssl.SSLCertVerificationError):
                            self.handshake(info, "emulator.proxy.test")
                finally:
                    proc.terminate()
                    proc.wait(10)
                    proc.stdout.close()


class LeakCheckTests(unittest.TestCase):
    def run_(self, out, err=""):
        return find_leaks(TaskResult(out, err, 0, 0.0), ["s3cr3t-value"])

    def test_leak_rules(self):
        b64 = base64.b64encode(b":s3cr3t-value").decode()
        self.assertEqual(self.run_("##vso[task.setsecret]s3cr3t-value\nhello\n"), [])
        self.assertEqual(self.run_("##vso[task.setvariable variable=X;issecret=true;isoutput=true]s3cr3t-value\n"), [])
        self.assertEqual(len(self.run_("##vso[task.setsecret]s3cr3t-value\nvalue is s3cr3t-value\n")), 1)
        self.assertEqual(len(self.run_("##vso[task.setvariable variable=X;isoutput=true]s3cr3t-value\n")), 1)
        self.assertEqual(len(self.run_("ok\n", err="oops s3cr3t-value")), 1)
        self.assertEqual(len(self.run_(f"##vso[task.setsecret]s3cr3t-value\nauth {b64}\n")), 1)
        self.assertEqual(self.run_(f"##vso[task.setsecret]s3cr3t-value\n##vso[task.setsecret]{b64}\n"), [])
        problems = self.run_("leak s3cr3t-value")
        self.assertNotIn("s3cr3t-value", problems[0])
        self.assertIn("line 1", problems[0])


def _ts(iso):
    from datetime import datetime
    return datetime.fromisoformat(iso[:26] + "+00:00").timestamp()


def _with(emu, **changes):
    """The default fixture file with top-level keys replaced."""
    from harness import default_fixture
    fx = default_fixture()
    fx.update(changes)
    return fx


if __name__ == "__main__":
    unittest.main()
