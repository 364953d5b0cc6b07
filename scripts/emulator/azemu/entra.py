"""Microsoft Entra ID token endpoint (v2.0) and what MSAL needs around it.

Follows: Microsoft identity platform, OAuth 2.0 client credentials flow
(https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow), ROPC
(…/v2-oauth-ropc), OpenID Connect discovery (…/v2-protocols-oidc), workload identity federation
(…/workload-identity-federation), and the AADSTS error codes (…/reference-error-codes).
Tokens are opaque to clients here: they are looked up, not verified."""

from __future__ import annotations

import base64
import json
import random
import secrets as pysecrets
import urllib.parse

from . import entra_interactive as interactive
from . import federated_credentials
from .clock import now
from .responses import Resp, aad_error
from .state import scaled
from .util import b64url, guid, make_jwt

ADO_RESOURCE = "499b84ac-1321-427f-aa17-267ca6975798"
ARM_RESOURCES = {"https://management.azure.com", "https://management.core.windows.net"}
GRAPH_RESOURCES = {
    "https://graph.microsoft.com", "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn",
    "00000003-0000-0000-c000-000000000000",
}
KV_RESOURCES = {"https://vault.azure.net", "https://vault.usgovcloudapi.net", "https://vault.azure.cn",
                "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"}
RESERVED_SCOPES = {"openid", "profile", "offline_access", "email"}
# The first-party application id of each resource kind (what AADSTS650057 names).
RESOURCE_APP_IDS = {"ado": ADO_RESOURCE, "graph": "00000003-0000-0000-c000-000000000000",
                    "kv": "cfa8b339-82a2-471a-a3c9-0fc0be7a4093", "arm": "797f4846-ba00-4fd7-ba43-dac1f8f63013"}
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
NO_CREDENTIAL = "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."


def _missing(name: str) -> Resp:
    return aad_error(400, "invalid_request", 900144, f"The request body must contain the following parameter: '{name}'.")


class Entra:
    def __init__(self, state):
        self.s = state

    # ---- routing
    def handle(self, method: str, parts: list[str], form: dict, headers: dict) -> Resp:
        if method == "GET" and len(parts) >= 3 and parts[-1] == "openid-configuration":
            return self.discovery(parts[1])
        if method == "GET" and len(parts) >= 4 and parts[2] == "userrealm":
            user = urllib.parse.unquote(parts[3])
            return Resp(200, {"ver": "1.0", "account_type": "Managed", "domain_name": user.split("@")[-1],
                              "cloud_instance_name": "microsoftonline.com",
                              "cloud_audience_urn": "urn:federation:MicrosoftOnline"})
        if not (len(parts) == 5 and parts[2:] == ["oauth2", "v2.0", "token"]):
            return aad_error(404, "invalid_request", 90002 if len(parts) < 2 else 900561,
                             "The endpoint only accepts POST requests to /{tenant}/oauth2/v2.0/token.")
        if method != "POST":
            return aad_error(405, "invalid_request", 900561, "The endpoint only accepts POST requests.")
        return self.token(urllib.parse.unquote(parts[1]).lower(), form, headers)

    def discovery(self, tenant: str) -> Resp:
        """/login/{tenant}/v2.0/.well-known/openid-configuration (used by MSAL)."""
        s = self.s
        tid = s.tenant["id"] if tenant.lower() in (s.tenant["id"], s.tenant.get("domain", "").lower()) else tenant
        root = f"{s.base}/login/{tenant}"
        return Resp(200, {"token_endpoint": f"{root}/oauth2/v2.0/token",
                          "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                          "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
                          "issuer": f"https://login.microsoftonline.com/{tid}/v2.0",
                          "jwks_uri": f"{root}/discovery/v2.0/keys",
                          "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
                          "response_types_supported": ["code", "id_token", "code id_token", "token id_token"],
                          "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                                    "client_secret_basic"],
                          "tenant_region_scope": "NA", "cloud_instance_name": "microsoftonline.com"})

    # ---- POST /{tenant}/oauth2/v2.0/token
    def token(self, tenant: str, form: dict, headers: dict) -> Resp:
        s = self.s
        grant = form.get("grant_type")
        err = self._check_tenant_and_grant(tenant, grant)
        if err:
            return err
        client_id, client_secret = self._client_credentials(form, headers)
        if not client_id:
            return _missing("client_id")
        app = s.apps.get(client_id.lower())
        if not app:
            return aad_error(400, "unauthorized_client", 700016,
                             f"Application with identifier '{client_id}' was not found in the directory "
                             f"'{s.tenant.get('domain', s.tenant['id'])}'. This can happen if the application has "
                             "not been installed by the administrator of the tenant or consented to by any user in "
                             "the tenant. You may have sent your authentication request to the wrong tenant.")
        if grant == "refresh_token":
            return interactive.refresh(self, app, form)
        if grant in interactive.GRANTS:
            return interactive.grant(self, app, grant, form)
        resource, err = self._resource(form)
        if err:
            return err
        client_ok, err = self._authenticate_client(app, form, client_secret)
        if err:
            return err
        if grant == "client_credentials":
            if not client_ok:
                return aad_error(401, "invalid_client", 7000218, NO_CREDENTIAL)
            return Resp(200, self.issue_token(self.resource_kind(resource), resource, "app", app))
        return self._ropc(app, resource, form, client_ok)

    def _check_tenant_and_grant(self, tenant: str, grant: str | None) -> Resp | None:
        s = self.s
        if tenant in ("common", "consumers") and grant in ("password", "client_credentials"):
            return aad_error(400, "invalid_request", 9001023,
                             "The grant type isn't supported over the /common or /consumers endpoints. "
                             "Please use the /organizations or tenant-specific endpoint.")
        if tenant not in (s.tenant["id"].lower(), s.tenant.get("domain", "").lower(), "organizations"):
            return aad_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found. Check to make sure "
                             "you have the correct tenant ID and are signing into the correct cloud.")
        if not grant:
            return _missing("grant_type")
        if grant not in ("client_credentials", "password", "refresh_token") + interactive.GRANTS:
            return aad_error(400, "unsupported_grant_type", 70003,
                             f"The app requested an unsupported grant type '{grant}'.")
        return None

    @staticmethod
    def _client_credentials(form: dict, headers: dict) -> tuple[str | None, str | None]:
        """client_id/client_secret from the form or HTTP Basic (RFC 6749 2.3.1)."""
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                cid, _, csec = base64.b64decode(auth[6:].strip()).decode().partition(":")
                client_id = client_id or urllib.parse.unquote_plus(cid)
                client_secret = client_secret or urllib.parse.unquote_plus(csec)
            except Exception:
                pass
        return client_id, client_secret

    def _resource(self, form: dict) -> tuple[str | None, Resp | None]:
        """Exactly one `<resource>/.default` scope (OpenID scopes ignored), naming a known resource."""
        scope_raw = form.get("scope")
        if not scope_raw:
            return None, _missing("scope")
        scopes = [x for x in scope_raw.split() if x not in RESERVED_SCOPES]
        if len(scopes) != 1:
            if len({x.rsplit("/", 1)[0] for x in scopes}) > 1:
                return None, aad_error(400, "invalid_scope", 700022, "The provided value for the input parameter "
                                       "scope is not valid because it contains more than one resource.")
            return None, aad_error(400, "invalid_scope", 70011, f"The provided value for the input parameter "
                                   f"'scope' is not valid. The scope {scope_raw} is not valid.")
        scope = scopes[0]
        if not scope.endswith("/.default"):
            return None, aad_error(400, "invalid_scope", 70011, f"The provided value for the input parameter "
                                   f"'scope' is not valid. The scope {scope} is not valid. .default scope is required.")
        resource = scope[: -len("/.default")]
        if self.resource_kind(resource) is None:
            s = self.s
            return None, aad_error(400, "invalid_resource", 500011, f"The resource principal named {resource} was "
                                   f"not found in the tenant named {s.tenant.get('domain', s.tenant['id'])}. This can "
                                   "happen if the application has not been installed by the administrator of the "
                                   "tenant or consented to by any user in the tenant.")
        return resource, None

    def delegation_error(self, app: dict, resource: str) -> Resp | None:
        """A user's token only for a resource the app registration lists under its API permissions
        (fixture `delegatedResources`: resource kinds such as "ado", "kv"; absent means any). Otherwise
        AADSTS650057 "Invalid resource", with the text Entra gives (as observed in public reports of the
        error, e.g. AzureAD/azure-activedirectory-library-for-python#146 for its AADSTS65005 predecessor)."""
        listed = app.get("delegatedResources")
        kind = self.resource_kind(resource)
        if listed is None or kind in listed:
            return None
        return aad_error(400, "invalid_client", 650057, "Invalid resource. The client has requested access to a "
                         "resource which is not listed in the requested permissions in the client's application "
                         f"registration. Client app ID: {app['appId']}({app.get('displayName', '')}). Resource "
                         f"value from request: {resource}. Resource app ID: {RESOURCE_APP_IDS.get(kind, resource)}. "
                         "List of valid resources from app registration: "
                         f"{', '.join(RESOURCE_APP_IDS.get(k, k) for k in listed)}.")

    def resource_kind(self, resource: str) -> str | None:
        r = resource.rstrip("/")
        if r.lower() == ADO_RESOURCE or r.lower() in ("https://app.vssps.visualstudio.com",):
            return "ado"
        if r in GRAPH_RESOURCES or r == f"{self.s.base}/graph":
            return "graph"
        if r in KV_RESOURCES:
            return "kv"
        if r in ARM_RESOURCES:
            return "arm"  # what an AzureRM connection's tasks ask for; no emulated service accepts it
        return None

    # ---- client authentication
    def _authenticate_client(self, app: dict, form: dict, client_secret: str | None) -> tuple[bool, Resp | None]:
        assertion = form.get("client_assertion")
        if assertion is not None:
            err = self._check_assertion(app, form, assertion)
            return err is None, err
        if client_secret is not None:
            err = self.check_secret(app, client_secret)
            return err is None, err
        return False, None

    def _check_assertion(self, app: dict, form: dict, assertion: str) -> Resp | None:
        if form.get("client_assertion_type") != JWT_BEARER:
            return aad_error(400, "invalid_request", 50027, "Invalid client_assertion_type; expected "
                             "urn:ietf:params:oauth:client-assertion-type:jwt-bearer.")
        o = self.s.oidc.get(assertion)
        if o is None:
            return aad_error(401, "invalid_client", 700027, "Client assertion failed signature validation.")
        if o["exp"] <= now():
            return aad_error(400, "invalid_client", 700024, "Client assertion is not within its valid time range.")
        match = [f for f in app.get("federatedCredentials", [])
                 if f.get("subject") == o["sub"] and f.get("issuer", o["iss"]) == o["iss"]
                 and o["aud"] in f.get("audiences", ["api://AzureADTokenExchange"])]
        if match and not any(federated_credentials.honoured(self.s.config, f) for f in match):
            # Just added: Entra does not honour it yet (federated_credentials.py, "Propagation").
            return aad_error(400, "invalid_request", 70021,
                             "No matching federated identity record found for presented assertion. Assertion "
                             f"Issuer: '{o['iss']}'. Assertion Subject: '{o['sub']}'. Assertion Audience: "
                             f"'{o['aud']}'. https://docs.microsoft.com/en-us/azure/active-directory/develop/"
                             "workload-identity-federation")
        if not match:
            return aad_error(400, "invalid_request", 700213,
                             f"No matching federated identity record found for presented assertion subject "
                             f"'{o['sub']}'. Check your federated identity credential Subject, Audience and "
                             "Issuer against the presented assertion.")
        return None

    def check_secret(self, app: dict, secret: str) -> Resp | None:
        t = now()
        for p in app["passwordCredentials"]:
            if pysecrets.compare_digest(p["secretText"], secret):
                if p["end"] <= t:
                    return aad_error(401, "invalid_client", 7000222,
                                     f"The provided client secret keys for app '{app['appId']}' are expired. "
                                     "Visit the Azure portal to create new keys for your app: "
                                     "https://aka.ms/NewClientSecret, or consider using certificate credentials "
                                     "for added security: https://aka.ms/certCreds.")
                if p["start"] > t or not self.replicated(p, t):
                    break  # not replicated yet / not yet valid: looks exactly like a wrong secret
                return None
        return aad_error(401, "invalid_client", 7000215,
                         "Invalid client secret provided. Ensure the secret being sent in the request is the "
                         f"client secret value, not the client secret ID, for a secret added to app "
                         f"'{app['appId']}'.")

    def replicated(self, p: dict, t: float) -> bool:
        """Whether this token request sees the secret: never before replicationDelaySeconds, then, while
        secretFlapping's window lasts, accepted or rejected by a generator seeded per secret (one replica
        has it, the next does not), afterwards always."""
        cfg = self.s.config
        if p["addedAt"] + float(cfg.get("replicationDelaySeconds") or 0) > t:
            return False
        flap = cfg.get("secretFlapping")
        if not flap or "flapSeed" not in p or p["addedAt"] + scaled(cfg, flap.get("windowSeconds", 10)) <= t:
            return True
        rng = p.setdefault("flapRng", random.Random(f"{flap.get('seed', 0)}:{p['flapSeed']}"))
        return rng.random() < float(flap.get("acceptRate", 0.5))

    # ---- ROPC (grant_type=password)
    def _ropc(self, app: dict, resource: str, form: dict, client_ok: bool) -> Resp:
        s = self.s
        if not app.get("publicClient") and not client_ok:
            return aad_error(401, "invalid_client", 7000218, NO_CREDENTIAL)
        username, password = form.get("username"), form.get("password")
        if not username:
            return _missing("username")
        user = s.users.get(username.lower())
        if not user:
            return aad_error(400, "invalid_grant", 50034, f"The user account {username} does not exist in the "
                             f"{s.tenant.get('domain', s.tenant['id'])} directory. To sign into this application, "
                             "the account must be added to the directory.")
        if password != user.get("password"):
            return aad_error(400, "invalid_grant", 50126,
                             "Error validating credentials due to invalid username or password.")
        if user.get("mfaRequired"):
            return aad_error(400, "interaction_required", 50076, "Due to a configuration change made by your "
                             "administrator, or because you moved to a new location, you must use multi-factor "
                             "authentication to access '" + resource + "'.")
        err = self.delegation_error(app, resource)
        if err:
            return err
        out = self.issue_token(self.resource_kind(resource), resource, "user", app, user, refresh=True)
        return Resp(200, self.with_identity(out, app, user, form))

    def with_identity(self, out: dict, app: dict, user: dict, form: dict) -> dict:
        """A user sign-in also answers who signed in: `id_token` when `openid` was asked for, and
        `client_info` (base64url {"uid","utid"}) when the client sent client_info=1, as MSAL does."""
        tid, t = self.s.tenant["id"], int(now())
        if "openid" in (form.get("scope") or "").split():
            out["id_token"] = make_jwt({
                "aud": app["appId"], "iss": f"https://login.microsoftonline.com/{tid}/v2.0", "iat": t, "nbf": t,
                "exp": t + 3600, "name": user.get("displayName") or user["username"], "oid": user["objectId"],
                "preferred_username": user["username"], "sub": b64url(user["objectId"].encode())[:43],
                "tid": tid, "ver": "2.0"})
        if form.get("client_info") == "1":
            out["client_info"] = b64url(json.dumps({"uid": user["objectId"], "utid": tid}).encode())
        return out

    # ---- issuing
    def issue_token(self, aud_kind: str, resource: str, kind: str, app: dict,
                    user: dict | None = None, refresh: bool = False) -> dict:
        s = self.s
        tenant_id = s.tenant["id"]
        t = now()
        oid = user["objectId"] if user else app["servicePrincipalObjectId"]
        payload = {"aud": resource, "iss": f"https://sts.windows.net/{tenant_id}/", "iat": int(t),
                   "nbf": int(t), "exp": int(t + 3599), "appid": app["appId"], "oid": oid, "tid": tenant_id,
                   "sub": oid, "ver": "1.0", "jti": guid(), "idtyp": kind}
        # Delegated Azure DevOps permissions consented for the app (fixture "adoScopes") become the scp claim.
        scopes = (app.get("adoScopes") if aud_kind == "ado" else None) or ["user_impersonation"]
        if user:
            payload.update(upn=user["username"], scp=" ".join(scopes))
        else:
            payload["roles"] = app.get("roles", [])
        tok = make_jwt(payload)
        info = {"aud": aud_kind, "resource": resource, "kind": kind, "appId": app["appId"], "oid": oid,
                "tenant": tenant_id, "exp": t + 3599, "iat": t, "username": user["username"] if user else None,
                "scopes": scopes if user else None}
        s.tokens[tok] = info
        s.remember(tok)
        out = {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok}
        if refresh:
            rt = "0.A" + b64url(pysecrets.token_bytes(96))
            s.refresh_tokens[rt] = dict(info, exp=t + 90 * 86400)
            s.remember(rt)
            out["refresh_token"] = rt
            out["scope"] = f"{resource}/user_impersonation" if aud_kind == "ado" else f"{resource}/.default"
        return out
